import { TrustLevelSchema, decodeBase64, type TrustLevel } from "@darkbloom/protocol";

/** What a provider's attestation must satisfy before the SDK seals a request to its key. */
export interface TrustPolicy {
  /** Lowest trust level accepted (default `self_signed`; `hardware` also asks the coordinator to route only there). */
  minTrust: Exclude<TrustLevel, "none">;
  /**
   * Oldest attestation accepted, either way from this machine's clock (default 15 min). Coordinators
   * re-publish each provider's attestation at every passed challenge (every 5 min by default).
   */
  maxAttestationAgeMs: number;
  /** When set, only these Ed25519 identity keys (standard base64) are ever sealed to. */
  pinnedIdentityKeys?: ReadonlySet<string>;
}

export const DEFAULT_MAX_ATTESTATION_AGE_MS = 15 * 60 * 1000;

export interface TrustPolicyOptions {
  minTrust?: Exclude<TrustLevel, "none">;
  maxAttestationAgeMs?: number;
  pinnedIdentityKeys?: readonly string[];
}

/** Validates the options (a TypeError names the bad one) and fills the defaults. */
export function trustPolicy(opts: TrustPolicyOptions = {}): TrustPolicy {
  const minTrust = opts.minTrust ?? "self_signed";
  const level = TrustLevelSchema.safeParse(minTrust);
  if (!level.success || level.data === "none") throw new TypeError(`minTrust must be "self_signed" or "hardware", got ${JSON.stringify(minTrust)}`);
  const maxAge = opts.maxAttestationAgeMs ?? DEFAULT_MAX_ATTESTATION_AGE_MS;
  if (!Number.isFinite(maxAge) || maxAge <= 0) throw new TypeError(`maxAttestationAgeMs must be a positive number of milliseconds, got ${maxAge}`);
  const policy: TrustPolicy = { minTrust: level.data, maxAttestationAgeMs: maxAge };
  if (opts.pinnedIdentityKeys !== undefined) {
    for (const k of opts.pinnedIdentityKeys) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = decodeBase64(k);
      } catch {
        bytes = undefined;
      }
      if (bytes?.length !== 32) throw new TypeError(`pinnedIdentityKeys: ${JSON.stringify(k.slice(0, 64))} is not a base64 Ed25519 public key`);
    }
    policy.pinnedIdentityKeys = new Set(opts.pinnedIdentityKeys);
  }
  return policy;
}
