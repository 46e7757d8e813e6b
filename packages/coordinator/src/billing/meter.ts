import { errorFields, type Logger } from "../log/index.js";
import type { Clock } from "../runtime/index.js";
import type { ReserveResult, SettleResult, SettledState, SettleSplit, Store } from "../store/index.js";
import type { Usage } from "./caps.js";
import { isSelfRouted, reservationFor, resolvePrice, type PriceTable, type PricedProvider, type RequestReservation } from "./prices.js";
import { costMicros, worstCaseMicros } from "./pricing.js";
import { percentToBps, splitCharge, type SplitPolicy } from "./split.js";

export type { Usage } from "./caps.js";
export type Outcome = SettledState;

/** No owner or platform prices: every request pays the fallback price. */
export const NO_PRICES: PriceTable = { platform: () => undefined, owner: () => undefined };
export const DEFAULT_SPLIT: SplitPolicy = { platformFeeBps: 0, referralShareBps: percentToBps(20) };

export interface MeterDeps {
  clock: Clock;
  logger: Logger;
  /** Owner and platform prices (a PriceBook); default none, i.e. the fallback price. */
  prices?: PriceTable;
  /** Platform fee and referral share; default 0% fee, 20% of it to the referrer. */
  split?: SplitPolicy;
  /** The account that referred `accountId`, if any (the accounts store); default: nobody was referred. */
  referrerOf?: (accountId: string) => Promise<string | null>;
  /** A connected provider by id, for settlements that know only the id (the sweeper). */
  providerById?: (id: string) => PricedProvider | undefined;
  /** Waits before each retry of a failed settle; after the last, the sweeper settles it. */
  retryDelaysMs?: readonly number[];
  /** Each settlement that was written (not replays): metrics count the money. */
  onSettled?: (result: SettleResult, outcome: Outcome) => void;
}

export interface SettleRequest {
  requestId: string;
  model: string;
  /** Billable usage (already capped); null charges nothing. */
  usage: Usage | null;
  providerId: string | null;
  /** The serving provider (its price and owner); else looked up by `providerId`. */
  provider?: PricedProvider | null;
  /** The serving provider's owner when the provider itself is gone (a delivery checkpoint). */
  providerAccountId?: string | null;
  /** The consumer; else known from the reservation. */
  accountId?: string;
  outcome: Outcome;
  /** The hold: the charge never exceeds it. */
  reservedMicros: number;
}

const DEFAULT_RETRY_DELAYS_MS = [250, 1_000, 5_000];

/**
 * One request's money: reserve the worst case at the highest price among the candidates, then
 * settle exactly once at the serving provider's price, split between the provider's owner, the
 * platform fee and the consumer's referrer (the store makes a repeated settle a no-op, so racing
 * completion paths and the sweeper are safe). A request served by the consumer's own provider
 * costs nothing. A settle that fails is retried in the background; if every retry fails the
 * reservation stays held until the sweeper settles it, so nothing is held forever.
 */
export class Meter {
  /** Reserved here and not yet settled (or given up on): the sweeper leaves these alone. */
  private readonly open = new Map<string, { at: number; accountId: string }>();
  private readonly prices: PriceTable;
  private readonly split: SplitPolicy;
  private readonly retryDelaysMs: readonly number[];
  /** First settle attempts still running (shutdown waits for them before closing the store). */
  private readonly running = new Set<Promise<unknown>>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly deps: MeterDeps,
  ) {
    this.prices = deps.prices ?? NO_PRICES;
    this.split = deps.split ?? DEFAULT_SPLIT;
    this.retryDelaysMs = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /** Holds the cost of `promptTokens` plus `maxTokens` completion tokens at the platform price. */
  reserve(requestId: string, accountId: string, model: string, promptTokens: number, maxTokens: number): Promise<ReserveResult> {
    return this.hold(requestId, accountId, model, worstCaseMicros(resolvePrice(this.prices, model, null).price, promptTokens, maxTokens));
  }

  /** Holds a request's worst case across its candidates (billing/prices.ts `reservationFor`). */
  reserveFor(requestId: string, r: RequestReservation): Promise<ReserveResult> {
    return this.hold(requestId, r.consumerAccountId, r.model, reservationFor(this.prices, r).amountMicros);
  }

  /** This process reserved the request and has not finished settling it. */
  isOpen(requestId: string): boolean {
    return this.open.has(requestId);
  }

  /**
   * Settles; resolves with the first attempt's result, or null when it failed (retries then run
   * in the background). Never rejects.
   */
  settle(req: SettleRequest): Promise<SettleResult | null> {
    const p = this.attempt(req, 0);
    this.running.add(p);
    void p.finally(() => {
      this.running.delete(p);
      if (this.running.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    return p;
  }

  /** Resolves once no settle attempt is running (background retries excepted: the sweeper owns those). */
  whenSettled(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async hold(requestId: string, accountId: string, model: string, amountMicros: number): Promise<ReserveResult> {
    const result = await this.store.reserve({ requestId, accountId, model, amountMicros });
    if (result.ok) this.open.set(requestId, { at: this.deps.clock.now(), accountId });
    return result;
  }

  /** What the request costs and who earns it. */
  private async bill(req: SettleRequest): Promise<{ chargeMicros: number; split: SettleSplit }> {
    const accountId = req.accountId ?? this.open.get(req.requestId)?.accountId ?? (await this.store.getRequest(req.requestId))?.accountId;
    const provider = req.provider ?? (req.providerId === null ? undefined : this.deps.providerById?.(req.providerId));
    const ownerAccountId = provider?.ownerAccountId ?? req.providerAccountId ?? null;
    const priced: PricedProvider | null = provider ?? (ownerAccountId ? { id: req.providerId ?? "", ownerAccountId } : null);
    const selfRouted = accountId !== undefined && isSelfRouted(accountId, priced);
    const usage = req.usage;
    const cost = !usage || selfRouted ? 0 : costMicros(resolvePrice(this.prices, req.model, priced).price, usage.promptTokens, usage.completionTokens);
    const chargeMicros = Math.min(cost, req.reservedMicros);
    const feeCharged = chargeMicros > 0 && this.split.platformFeeBps > 0 && this.split.referralShareBps > 0;
    const referrer = feeCharged && accountId !== undefined ? await this.referrerOf(accountId) : null;
    const parts = splitCharge(chargeMicros, this.split, referrer !== null);
    return {
      chargeMicros,
      split: {
        providerAccountId: ownerAccountId,
        providerMicros: parts.providerMicros,
        platformFeeMicros: parts.platformFeeMicros,
        referrerAccountId: referrer,
        referralMicros: parts.referralMicros,
      },
    };
  }

  private async referrerOf(accountId: string): Promise<string | null> {
    const referrer = this.deps.referrerOf ? await this.deps.referrerOf(accountId) : null;
    return referrer === accountId ? null : referrer; // nobody earns a share of their own spending
  }

  private notifySettled(result: SettleResult, outcome: Outcome): void {
    try {
      this.deps.onSettled?.(result, outcome);
    } catch (err) {
      this.deps.logger.error("settlement observer threw", errorFields(err));
    }
  }

  private async attempt(req: SettleRequest, attempt: number): Promise<SettleResult | null> {
    try {
      const { chargeMicros, split } = await this.bill(req);
      const result = await this.store.settle({
        requestId: req.requestId,
        chargeMicros,
        promptTokens: req.usage?.promptTokens ?? 0,
        completionTokens: req.usage?.completionTokens ?? 0,
        providerId: req.providerId,
        outcome: req.outcome,
        split,
      });
      this.open.delete(req.requestId);
      if (!result.replay) this.notifySettled(result, req.outcome);
      return result;
    } catch (err) {
      const delay = this.retryDelaysMs[attempt];
      if (delay === undefined) {
        this.open.delete(req.requestId);
        this.deps.logger.error("settlement failed; the reservation sweeper will settle it", {
          internal_id: req.requestId,
          attempts: attempt + 1,
          ...errorFields(err),
        });
        return null;
      }
      this.deps.logger.warn("settlement failed; retrying", { internal_id: req.requestId, attempt: attempt + 1, ...errorFields(err) });
      this.deps.clock.setTimeout(() => void this.attempt(req, attempt + 1), delay);
      return null;
    }
  }
}
