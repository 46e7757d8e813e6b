import {
  NOTHING_DELIVERED,
  billableUsage,
  type BillingDecision,
  type Delivery,
  type DeliveryCheckpoints,
  type Meter,
  type Outcome,
  type RequestLimits,
  type Usage,
} from "../../billing/index.js";
import type { Logger } from "../../log/index.js";
import type { LiveProvider } from "../../registry/index.js";
import { recordProviderFault } from "../../relay/index.js";
import type { SettleResult } from "../../store/index.js";

export interface BillDeps {
  meter: Meter;
  checkpoints: DeliveryCheckpoints;
  logger: Logger;
}

export interface Settlement {
  decision: BillingDecision;
  /** null: the settle failed and is being retried (or left to the sweeper). */
  result: SettleResult | null;
}

/**
 * One request's bill: counts what reached the consumer (the running token count of the last
 * chunk written), checkpoints it for the sweeper, and settles once from the capped usage.
 */
export class RequestBill {
  /** Written to the consumer. */
  private delivered: Delivery = NOTHING_DELIVERED;
  /** Accepted by the writer, including chunks held until `complete` (non-streaming bodies). */
  private forwarded: Delivery = NOTHING_DELIVERED;
  private settling: Promise<Settlement> | undefined;
  /** coordinator-sealed: the most completion tokens the relayed text supports (receipt-check.ts). */
  private textCap: number | undefined;

  constructor(
    private readonly deps: BillDeps,
    readonly requestId: string,
    readonly model: string,
    readonly limits: RequestLimits,
    readonly reservedMicros: number,
  ) {}

  /** The writer took a chunk carrying `tokens`; `wroteNow`: it went to the consumer already. */
  chunk(tokens: number, wroteNow: boolean, provider: LiveProvider): void {
    this.forwarded = { chunks: this.forwarded.chunks + 1, completionTokens: tokens };
    if (!wroteNow) return;
    this.delivered = this.forwarded;
    this.deps.checkpoints.update({
      requestId: this.requestId,
      promptTokens: this.limits.promptEstimate,
      completionTokens: tokens,
      providerId: provider.id,
      providerAccountId: provider.ownerAccountId ?? null,
    });
  }

  /** What was delivered can carry at most `tokens` completion tokens (a token is at least a byte). */
  capCompletionByText(tokens: number): void {
    this.textCap = Math.max(0, tokens);
  }

  /**
   * Settles exactly once. `claimed`: the provider's usage report, if any. `consumerGetsAll`: the
   * complete response is about to go out (held chunks included), so everything forwarded counts.
   */
  settle(claimed: Usage | null, provider: LiveProvider | null, outcome: Outcome, consumerGetsAll: boolean): Promise<Settlement> {
    return (this.settling ??= this.run(claimed, provider, outcome, consumerGetsAll));
  }

  private async run(claimed: Usage | null, provider: LiveProvider | null, outcome: Outcome, consumerGetsAll: boolean): Promise<Settlement> {
    this.deps.checkpoints.done(this.requestId);
    const got = consumerGetsAll ? this.forwarded : this.delivered;
    const delivery = this.textCap === undefined ? got : { ...got, completionTokens: Math.min(got.completionTokens, this.textCap) };
    const decision = billableUsage(this.limits, claimed, delivery);
    if (provider) {
      for (const f of decision.faults) {
        recordProviderFault(provider, this.deps.logger, { request_id: this.requestId, kind: `usage.${f.field}`, claimed: f.claimed, allowed: f.allowed });
      }
    }
    const result = await this.deps.meter.settle({
      requestId: this.requestId,
      model: this.model,
      usage: decision.billable,
      providerId: provider?.id ?? null,
      provider,
      outcome,
      reservedMicros: this.reservedMicros,
    });
    return { decision, result };
  }
}
