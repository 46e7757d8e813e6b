export type { Outcome, CompletionSample, HealthGate, HealthPolicy } from "./types.js";
export { DEFAULT_HEALTH_POLICY } from "./policy.js";
export { ProviderHealth, type CircuitState } from "./provider-health.js";
export { BackupStats } from "./backup-stats.js";
export { HealthCarryover } from "./carryover.js";
