import type { Store } from "../store/index.js";
import { FALLBACK_PRICE, costMicros, worstCaseMicros, type Price } from "./pricing.js";

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export type Outcome = "completed" | "failed" | "cancelled";

/**
 * One request's money: reserve the worst case, then settle exactly once from the provider's
 * usage (the store makes a repeated settle a no-op, so racing completion paths are safe).
 */
export class Meter {
  constructor(
    private readonly store: Store,
    private readonly priceFor: (model: string) => Price = () => FALLBACK_PRICE,
  ) {}

  async reserve(requestId: string, accountId: string, model: string, inputEstimate: number, maxTokens: number) {
    const amount = worstCaseMicros(this.priceFor(model), inputEstimate, maxTokens);
    return this.store.reserve({ requestId, accountId, model, amountMicros: amount });
  }

  async settle(requestId: string, model: string, usage: Usage | null, providerId: string | null, outcome: Outcome) {
    const charge = usage ? costMicros(this.priceFor(model), usage.promptTokens, usage.completionTokens) : 0;
    return this.store.settle({
      requestId,
      chargeMicros: charge,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      providerId,
      outcome,
    });
  }
}
