import type { ProviderHealth } from "./health/index.js";
import type { SystemMetrics } from "../routing/index.js";

/**
 * What the registry keeps about one connected provider beside `LiveProvider` (never reachable from
 * outside the registry). Readers: candidate gating, the cost function, gates / trust_status.
 * Created in `add`, dropped in `remove` (the health record is carried over while a gate is closed).
 */
export interface ProviderState {
  readonly health: ProviderHealth;
  /** The last heartbeat's system metrics (memory pressure, CPU). */
  system: SystemMetrics | undefined;
  /** At least one heartbeat arrived. */
  reporting: boolean;
  /** The last heartbeat's status was `draining`. */
  draining: boolean;
  /** Fingerprint of the last trust_status sent (registry/gates.ts gateSignature). */
  lastStatus: string | undefined;
  /** Why the trust level last changed (src/trust: e.g. the failed challenges), shown in the `untrusted` gate. */
  trustReason: string | undefined;
}
