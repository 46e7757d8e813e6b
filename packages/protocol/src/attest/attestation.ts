import { z } from "zod";
import { ed25519 } from "@noble/curves/ed25519.js";
import { decodeBase64, encodeBase64, isBase64, utf8Encode } from "../seal/bytes.js";
import { keyId } from "../seal/keys.js";
import { canonicalJson } from "./canonical-json.js";

/**
 * Self-signed provider attestation: the Ed25519 identity key signs (over the canonical JSON of
 * every field except `signature`) the X25519 sealing key, its kid, software, models, hardware and
 * the coordinator's challenge nonce + timestamp (ms since epoch).
 */

const b64 = z.string().refine(isBase64, "expected standard base64");

export const AttestationSchema = z.object({
  identity_key: b64,
  encryption_key: b64,
  kid: z.string().min(1).max(64),
  provider_version: z.string().max(64),
  /** SHA-256 of the installed provider package, when known (checked against registered releases). */
  package_hash: z.string().max(128).optional(),
  models: z.array(z.object({ id: z.string().min(1).max(256), weight_hash: z.string().max(128).optional() })).max(64),
  hardware: z.record(z.string().max(64), z.union([z.string().max(256), z.number()])),
  nonce: z.string().max(256),
  timestamp: z.number().int().nonnegative(),
  signature: b64,
});
export type Attestation = z.infer<typeof AttestationSchema>;
export type AttestationFields = Omit<Attestation, "signature">;

export interface IdentityKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export async function generateIdentityKeyPair(): Promise<IdentityKeyPair> {
  const { secretKey, publicKey } = ed25519.keygen();
  return { publicKey, secretKey };
}

/** The public key for a 32-byte Ed25519 secret key (seed). */
export function identityPublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

/** The exact bytes that are signed: canonical JSON of all fields except `signature`. */
export function attestationSigningBytes(a: AttestationFields | Attestation): Uint8Array {
  const { signature: _ignored, ...fields } = a as Attestation;
  return utf8Encode(canonicalJson(fields));
}

export async function signAttestation(fields: AttestationFields, identitySecret: Uint8Array): Promise<Attestation> {
  const signature = ed25519.sign(attestationSigningBytes(fields), identitySecret);
  return { ...fields, signature: encodeBase64(signature) };
}

export interface VerifyAttestationOptions {
  /** Reject attestations whose timestamp is further than this from `now` (either direction). */
  maxAgeMs?: number;
  /** Current time in ms since epoch (default Date.now()). */
  now?: number;
}

/**
 * True when the attestation is well formed, its kid is keyId(encryption_key), the Ed25519
 * signature by identity_key is valid, and (with maxAgeMs) it is fresh. Never throws.
 */
export async function verifyAttestation(a: Attestation, opts: VerifyAttestationOptions = {}): Promise<boolean> {
  try {
    if (!AttestationSchema.safeParse(a).success) return false;
    const identity = decodeBase64(a.identity_key);
    const encryption = decodeBase64(a.encryption_key);
    const signature = decodeBase64(a.signature);
    if (identity.length !== 32 || encryption.length !== 32 || signature.length !== 64) return false;
    if (a.kid !== keyId(encryption)) return false;
    if (opts.maxAgeMs !== undefined) {
      const now = opts.now ?? Date.now();
      if (Math.abs(now - a.timestamp) > opts.maxAgeMs) return false;
    }
    return ed25519.verify(signature, attestationSigningBytes(a), identity);
  } catch {
    return false;
  }
}
