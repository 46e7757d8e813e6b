import type { TrustLevel } from "@darkbloom/protocol";

/** Periodic challenge timing and the routing bar (config/trust.ts validates the env vars). */
export interface TrustSettings {
  /** A challenge every this often after registration (SPEC: 5 min). */
  intervalMs: number;
  /** Time to answer one (SPEC: 30 s). */
  timeoutMs: number;
  /** Largest difference between a re-signed attestation's timestamp and the coordinator's clock. */
  maxSkewMs: number;
  /** Failures in a row that make a provider untrusted (trust level `none`). */
  strikes: number;
  /** The operator's minimum trust level for routing (DARKBLOOM_MIN_TRUST). */
  minTrust: TrustLevel;
}

export const DEFAULT_TRUST_SETTINGS: TrustSettings = {
  intervalMs: 300_000,
  timeoutMs: 30_000,
  maxSkewMs: 60_000,
  strikes: 3,
  minTrust: "self_signed",
};

/**
 * How long after its last passed challenge (or registration) a provider still counts as
 * challenge-fresh: the strikes' worth of intervals plus one answer window. Normally the strikes
 * make it untrusted first; this is the backstop if challenges stop being scheduled at all.
 */
export function freshnessWindowMs(s: Pick<TrustSettings, "intervalMs" | "timeoutMs" | "strikes">): number {
  return s.strikes * s.intervalMs + 2 * s.timeoutMs;
}
