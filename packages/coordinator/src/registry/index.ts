export type { LiveProvider, ProviderLink, ProviderRegistry, PickOptions, ModelInfo, TrustLevel, Lane } from "./types.js";
export { MemoryRegistry } from "./memory-registry.js";
export { servesModel, loadOf, pickLeastLoaded } from "./select.js";
