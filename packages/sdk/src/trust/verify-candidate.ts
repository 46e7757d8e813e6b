import { ProviderKeySchema, decodeBase64, keyId, meetsTrust, verifyAttestation, type ProviderKey } from "@darkbloom/protocol";
import type { CandidateRejection } from "./errors.js";
import type { TrustPolicy } from "./policy.js";

/** A provider sealing key whose attestation verified under the policy. */
export interface VerifiedKey {
  kid: string;
  publicKey: Uint8Array;
  providerId: string;
  trustLevel: ProviderKey["trust_level"];
  /** The Ed25519 identity key that signed the attestation (base64). */
  identityKey: string;
}

export type AcceptKey = (key: ProviderKey) => boolean | Promise<boolean>;

export type CandidateVerdict = { ok: true; key: VerifiedKey } | ({ ok: false } & CandidateRejection);

/**
 * Checks one entry of GET /providers/keys before anything is sealed to it: well formed; the key
 * offered is the one the attestation binds (kid ↔ encryption key); the identity key's signature over
 * every attested field verifies; the attestation is fresh; the trust level meets the minimum; the
 * identity is pinned (when pins are set); and the caller's own policy accepts it.
 */
export async function verifyCandidate(entry: unknown, policy: TrustPolicy, now: number, accept?: AcceptKey): Promise<CandidateVerdict> {
  const providerId = typeof entry === "object" && entry !== null && typeof (entry as { provider_id?: unknown }).provider_id === "string" ? (entry as { provider_id: string }).provider_id.slice(0, 128) : null;
  const reject = (reason: CandidateRejection["reason"], detail: string): CandidateVerdict => ({ ok: false, providerId, reason, detail });
  const parsed = ProviderKeySchema.safeParse(entry);
  if (!parsed.success) return reject("malformed", "not a provider key entry");
  const k = parsed.data;
  const a = k.attestation;
  if (a.kid !== k.kid || a.encryption_key !== k.public_key) return reject("key_mismatch", "the offered key is not the one its attestation binds");
  let publicKey: Uint8Array;
  try {
    publicKey = decodeBase64(k.public_key);
  } catch {
    return reject("malformed", "public key is not base64");
  }
  if (publicKey.length !== 32 || keyId(publicKey) !== k.kid) return reject("key_mismatch", "kid is not the key id of the offered key");
  // Verify the original object: the signature covers every field the provider signed.
  const raw = (entry as { attestation: typeof a }).attestation;
  if (!(await verifyAttestation(raw))) return reject("bad_signature", "the attestation signature does not verify with its identity key");
  const age = now - a.timestamp;
  if (Math.abs(age) > policy.maxAttestationAgeMs) {
    return reject("stale", `attestation is ${Math.round(Math.abs(age) / 1000)} s ${age > 0 ? "old" : "in the future"} (limit ${Math.round(policy.maxAttestationAgeMs / 1000)} s)`);
  }
  if (!meetsTrust(k.trust_level, policy.minTrust)) return reject("below_min_trust", `trust level ${k.trust_level} is below ${policy.minTrust}`);
  if (policy.pinnedIdentityKeys && !policy.pinnedIdentityKeys.has(a.identity_key)) return reject("not_pinned", "identity key is not pinned");
  if (accept && !(await accept(k))) return reject("rejected_by_policy", "refused by acceptKey");
  return { ok: true, key: { kid: k.kid, publicKey, providerId: k.provider_id, trustLevel: k.trust_level, identityKey: a.identity_key } };
}
