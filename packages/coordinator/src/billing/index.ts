export { FALLBACK_PRICE, MIN_CHARGE_MICROS, DEFAULT_MAX_TOKENS, costMicros, worstCaseMicros, estimateTokensFromBytes, type Price } from "./pricing.js";
export { Meter, type MeterDeps, type Outcome, type SettleRequest } from "./meter.js";
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
