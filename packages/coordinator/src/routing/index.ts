export type { CandidateView, RequestShape, SelectionStrategy, SystemMetrics } from "./types.js";
export { costOf, queueDepth, type CostBreakdown, COLD_PENALTY_MS, IDLE_SHUTDOWN_PENALTY_MS, TIE_WINDOW_MS, BATCH_SLOWDOWN } from "./cost.js";
export { costStrategy, leastLoadedStrategy, roundRobinStrategy } from "./strategies.js";
