import { CLOSE_PROVIDER_TOO_OLD } from "@darkbloom/protocol";
import type { TrustLevel } from "../registry/index.js";
import { compareSemver } from "./semver.js";

/**
 * The trust a provider may hold given whether its package hash is a registered release: a build
 * nobody registered (modified, or not from CI) is at most `self_signed`, whatever a hardware
 * verifier says about the machine it runs on. Apply it to the earned level last.
 */
export function capTrustForRelease(earned: TrustLevel, knownRelease: boolean): TrustLevel {
  return !knownRelease && earned === "hardware" ? "self_signed" : earned;
}

export interface VersionRefusal {
  ok: false;
  code: number;
  reason: string;
}

/**
 * Refuses a provider older than `minimum` (DARKBLOOM_MIN_PROVIDER_VERSION), or one whose version
 * is not a semantic version while a minimum is set, with a close reason (≤ 123 bytes) that says
 * what to do. Null: accepted.
 */
export function minVersionRefusal(version: string, minimum: string | undefined): VersionRefusal | null {
  if (minimum === undefined) return null;
  const order = compareSemver(version, minimum);
  if (order !== null && order >= 0) return null;
  const shown = version.replace(/[^\x20-\x7e]/g, "?").slice(0, 24);
  return { ok: false, code: CLOSE_PROVIDER_TOO_OLD, reason: `darkbloom ${shown} is too old (minimum ${minimum.slice(0, 32)}): upgrade the provider` };
}
