import { errorFields, type Logger } from "../log/index.js";
import type { Clock } from "../runtime/index.js";
import type { SettleResult, SettledState, Store } from "../store/index.js";
import type { Usage } from "./caps.js";
import { FALLBACK_PRICE, costMicros, worstCaseMicros, type Price } from "./pricing.js";

export type { Usage } from "./caps.js";
export type Outcome = SettledState;

export interface MeterDeps {
  clock: Clock;
  logger: Logger;
  priceFor?: (model: string) => Price;
  /** Waits before each retry of a failed settle; after the last, the sweeper settles it. */
  retryDelaysMs?: readonly number[];
}

export interface SettleRequest {
  requestId: string;
  model: string;
  /** Billable usage (already capped); null charges nothing. */
  usage: Usage | null;
  providerId: string | null;
  outcome: Outcome;
  /** The hold: the charge never exceeds it. */
  reservedMicros: number;
}

const DEFAULT_RETRY_DELAYS_MS = [250, 1_000, 5_000];

/**
 * One request's money: reserve the worst case, then settle exactly once (the store makes a
 * repeated settle a no-op, so racing completion paths and the sweeper are safe). A settle that
 * fails is retried in the background; if every retry fails the reservation stays held until the
 * sweeper settles it, so nothing is held forever.
 */
export class Meter {
  /** Reserved here and not yet settled (or given up on): the sweeper leaves these alone. */
  private readonly open = new Map<string, number>();
  private readonly priceFor: (model: string) => Price;
  private readonly retryDelaysMs: readonly number[];

  constructor(
    private readonly store: Store,
    private readonly deps: MeterDeps,
  ) {
    this.priceFor = deps.priceFor ?? (() => FALLBACK_PRICE);
    this.retryDelaysMs = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /** Holds the cost of `promptTokens` (the body's cap) plus every allowed completion token. */
  async reserve(requestId: string, accountId: string, model: string, promptTokens: number, maxTokens: number) {
    const amount = worstCaseMicros(this.priceFor(model), promptTokens, maxTokens);
    const result = await this.store.reserve({ requestId, accountId, model, amountMicros: amount });
    if (result.ok) this.open.set(requestId, this.deps.clock.now());
    return result;
  }

  /** What `usage` costs for `model`, at most `capMicros`. */
  chargeFor(model: string, usage: Usage | null, capMicros: number): number {
    if (!usage) return 0;
    return Math.min(costMicros(this.priceFor(model), usage.promptTokens, usage.completionTokens), capMicros);
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
    return this.attempt(req, 0);
  }

  private async attempt(req: SettleRequest, attempt: number): Promise<SettleResult | null> {
    try {
      const result = await this.store.settle({
        requestId: req.requestId,
        chargeMicros: this.chargeFor(req.model, req.usage, req.reservedMicros),
        promptTokens: req.usage?.promptTokens ?? 0,
        completionTokens: req.usage?.completionTokens ?? 0,
        providerId: req.providerId,
        outcome: req.outcome,
      });
      this.open.delete(req.requestId);
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
