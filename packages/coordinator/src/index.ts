export { startCoordinator, PROVIDER_WS_PATH, type CoordinatorDeps, type RunningCoordinator } from "./server/index.js";
export {
  configFromEnv,
  resolveConfig,
  ConfigError,
  ENV_NAMES,
  type CoordinatorConfig,
  type CoordinatorConfigInput,
  type ResolvedConfig,
} from "./config/index.js";
export { generateApiKey, hashApiKey } from "./auth/index.js";
export { openStore, SqlStore, type Store } from "./store/index.js";
export {
  createThrowawayDatabase,
  postgresUnavailable,
  testPostgresUrl,
  DEFAULT_TEST_POSTGRES_URL,
  type ThrowawayDatabase,
} from "./store/postgres/throwaway.js";
export type { ProviderRegistry, LiveProvider } from "./registry/index.js";
export type { Clock, Entropy } from "./runtime/index.js";
// Routing state and selection, driven directly by the routing simulator (e2e/src/routingsim).
export { MemoryRegistry, type MemoryRegistryOptions, type PickOptions } from "./registry/index.js";
export { costStrategy, leastLoadedStrategy, roundRobinStrategy, type SelectionStrategy } from "./routing/index.js";
