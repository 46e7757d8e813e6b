export { FALLBACK_PRICE, MIN_CHARGE_MICROS, DEFAULT_MAX_TOKENS, costMicros, worstCaseMicros, estimateTokensFromBytes, type Price } from "./pricing.js";
export { Meter, NO_PRICES, DEFAULT_SPLIT, type MeterDeps, type Outcome, type SettleRequest } from "./meter.js";
export {
  isSelfRouted,
  reservationFor,
  reservationMicros,
  reserveCompletionTokens,
  resolvePrice,
  type PriceSource,
  type PriceTable,
  type PricedCandidate,
  type PricedProvider,
  type RequestReservation,
  type ResolvedPrice,
} from "./prices.js";
export { percentToBps, splitCharge, type ChargeSplit, type SplitPolicy } from "./split.js";
export { PriceBook } from "./price-book.js";
export {
  NOTHING_DELIVERED,
  TEMPLATE_ALLOWANCE_TOKENS,
  billableUsage,
  checkChunkTokens,
  promptTokenCap,
  promptTokenEstimate,
  type BillingDecision,
  type ChunkTokensCheck,
  type Delivery,
  type RequestLimits,
  type Usage,
  type UsageFault,
} from "./caps.js";
export { DeliveryCheckpoints, CHECKPOINT_INTERVAL_MS } from "./delivery-checkpoint.js";
export { startReservationSweeper, type ReservationSweeper, type SweeperDeps } from "./sweeper.js";
