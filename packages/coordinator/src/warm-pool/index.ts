// Warm pool: arrival rate per model (EWMA) → loaded providers per model; load_model to idle
// providers with room, one pending load per provider, cooldown after a failed load.
export { WarmPool, type ModelLoadEvents, type PoolRequestResult, type WarmPoolOptions } from "./warm-pool.js";
export { planLoads, targetProviders } from "./plan.js";
export { ArrivalRates } from "./rate.js";
export type { LoadAction, PoolProvider, PoolSettings } from "./types.js";
