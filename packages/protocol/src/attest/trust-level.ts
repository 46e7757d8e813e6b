import { z } from "zod";

/**
 * Trust levels, weakest first: `none` (unproven, or failed its challenges: never routed),
 * `self_signed` (proved its identity key), `hardware` (a hardware verifier vouched for it).
 */
export const TRUST_LEVELS = ["none", "self_signed", "hardware"] as const;
export const TrustLevelSchema = z.enum(TRUST_LEVELS);
export type TrustLevel = z.infer<typeof TrustLevelSchema>;

/** Header a consumer sends to raise (never lower) the operator's minimum trust level for one request. */
export const MIN_TRUST_HEADER = "X-Darkbloom-Min-Trust";

/** 0 for `none`, 1 for `self_signed`, 2 for `hardware`. */
export function trustRank(level: TrustLevel): number {
  return TRUST_LEVELS.indexOf(level);
}

/** True when `level` is at least `min`. */
export function meetsTrust(level: TrustLevel, min: TrustLevel): boolean {
  return trustRank(level) >= trustRank(min);
}

/** The stricter of two levels. */
export function stricterTrust(a: TrustLevel, b: TrustLevel): TrustLevel {
  return trustRank(a) >= trustRank(b) ? a : b;
}
