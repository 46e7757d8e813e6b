import { z } from "zod";
import { TRUST_LEVELS } from "@darkbloom/protocol";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Periodic attestation challenges and the routing trust bar (src/trust). */
export const TRUST_FIELDS = {
  /** A challenge to every registered provider this often (SPEC: 5 min). */
  challengeIntervalMs: int(100, 86_400_000).default(300_000),
  /** Time a provider has to answer one (SPEC: 30 s). */
  challengeTimeoutMs: int(50, 600_000).default(30_000),
  /** Largest clock difference a re-signed attestation may show (SPEC: 60 s). */
  challengeMaxSkewMs: int(1_000, 3_600_000).default(60_000),
  /** Providers below this trust level get no requests (`self_signed` or `hardware`). */
  minTrust: z.enum(TRUST_LEVELS).exclude(["none"]).default("self_signed"),
};

export type TrustConfig = { [K in keyof typeof TRUST_FIELDS]: z.output<(typeof TRUST_FIELDS)[K]> };

export const TRUST_ENV_NAMES: Record<keyof TrustConfig, string> = {
  challengeIntervalMs: "DARKBLOOM_CHALLENGE_INTERVAL_MS",
  challengeTimeoutMs: "DARKBLOOM_CHALLENGE_TIMEOUT_MS",
  challengeMaxSkewMs: "DARKBLOOM_CHALLENGE_MAX_SKEW_MS",
  minTrust: "DARKBLOOM_MIN_TRUST",
};

/** A challenge must be settled before the next one is sent. */
export function checkTrustRelations(c: TrustConfig): { key: keyof TrustConfig; message: string }[] {
  if (c.challengeTimeoutMs >= c.challengeIntervalMs) {
    return [{ key: "challengeTimeoutMs", message: `(${c.challengeTimeoutMs} ms) must be shorter than the challenge interval (${c.challengeIntervalMs} ms)` }];
  }
  return [];
}
