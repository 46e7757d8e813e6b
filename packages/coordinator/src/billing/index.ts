export { FALLBACK_PRICE, MIN_CHARGE_MICROS, DEFAULT_MAX_TOKENS, costMicros, worstCaseMicros, estimateTokensFromBytes, type Price } from "./pricing.js";
export { Meter, type Usage, type Outcome } from "./meter.js";
