import type { HealthPolicy } from "./types.js";

/** SPEC numbers; the capacity cooldown's are ours (a provider's own queue drains within seconds). */
export const DEFAULT_HEALTH_POLICY: Readonly<HealthPolicy> = {
  errorCount: 2,
  errorWindowMs: 60_000,
  errorCooldownMs: 5 * 60_000,
  breakerConsecutive: 5,
  breakerFailureRatio: 0.8,
  breakerWindow: 20,
  breakerOpenMs: 60_000,
  breakerMaxOpenMs: 5 * 60_000,
  capacityCount: 3,
  capacityWindowMs: 30_000,
  capacityCooldownMs: 30_000,
};
