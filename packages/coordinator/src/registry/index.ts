export type { LiveProvider, ProviderLink, ProviderRegistry, PickOptions, ModelInfo, TrustLevel, Lane, ModelUpdate, AnnouncedPrice } from "./types.js";
export { MemoryRegistry, type MemoryRegistryOptions } from "./memory-registry.js";
export { servesModel, loadOf, pickLeastLoaded } from "./select.js";
export { capSlot, MAX_SLOT_CONCURRENCY, MIN_REQUEST_TOKENS } from "./capacity.js";
export { KnownModels, type KnownModelRecord } from "./known-models.js";
export { KnownModelsWriter, type KnownModelsSink } from "./known-models-writer.js";
export * from "./limits.js";
