/** Prices in integer micro-USD per 1M tokens. */
export interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** SPEC fallback when neither provider nor platform price is set: $0.05 / $0.20 per 1M tokens. */
export const FALLBACK_PRICE: Price = { inputPerMillion: 50_000, outputPerMillion: 200_000 };
export const MIN_CHARGE_MICROS = 100;
export const DEFAULT_MAX_TOKENS = 8192;

/**
 * Cost of a usage in micro-USD, rounded up. A request that used no tokens costs nothing; any
 * other costs at least MIN_CHARGE_MICROS.
 */
export function costMicros(price: Price, inputTokens: number, outputTokens: number): number {
  if (inputTokens <= 0 && outputTokens <= 0) return 0;
  const raw = Math.max(inputTokens, 0) * price.inputPerMillion + Math.max(outputTokens, 0) * price.outputPerMillion;
  return Math.max(Math.ceil(raw / 1_000_000), MIN_CHARGE_MICROS);
}

/** What to hold before dispatch: the whole input estimate plus every allowed output token. */
export function worstCaseMicros(price: Price, inputEstimate: number, maxTokens: number): number {
  return Math.max(costMicros(price, inputEstimate, maxTokens), MIN_CHARGE_MICROS);
}

/** A rough token estimate for a plaintext body when the client gave none (~4 bytes per token). */
export function estimateTokensFromBytes(bytes: number): number {
  return Math.ceil(bytes / 4);
}
