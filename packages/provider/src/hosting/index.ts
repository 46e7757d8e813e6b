// Model hosting: what a provider offers (scan), what it keeps loaded (ModelHost: up to 3, memory
// gate, LRU eviction of idle models), and the heartbeat view of it.
export { MAX_LOADED_MODELS, ModelHost, type ModelHostOptions } from "./model-host.js";
export { quantizationName, scanModel, type ScanInput } from "./scan.js";
export { planEvictions, type EvictionPlan, type ResidentModel } from "./evict.js";
export { restingSlot, slotOf } from "./slots.js";
export type { EngineLoader, ModelLease, ModelSource, OfferedModel } from "./types.js";
