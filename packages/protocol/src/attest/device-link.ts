import { z } from "zod";
import { ed25519 } from "@noble/curves/ed25519.js";
import { decodeBase64, encodeBase64, isBase64, utf8Encode } from "../seal/bytes.js";
import { canonicalJson } from "./canonical-json.js";

/**
 * A device-code request (`POST /v1/device/code`) names the provider identity that will be linked
 * to the approving account, and is signed by that identity key over the canonical JSON of
 * {domain, identity_key, timestamp}: nobody can start a link (and so claim its earnings) for an
 * identity whose secret key they do not hold. The coordinator refuses stale timestamps and
 * signatures it has already seen.
 */

const DOMAIN = "darkbloom/v2 device-code";
const b64 = z.string().max(128).refine(isBase64, "expected standard base64");

export const DeviceCodeProofSchema = z.object({
  identity_key: b64,
  timestamp: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  signature: b64,
});
export type DeviceCodeProof = z.infer<typeof DeviceCodeProofSchema>;

export function deviceCodeSigningBytes(identityKey: string, timestamp: number): Uint8Array {
  return utf8Encode(canonicalJson({ domain: DOMAIN, identity_key: identityKey, timestamp }));
}

/** Signs a device-code request with the identity secret key (identityKey is its public key, base64). */
export function signDeviceCodeRequest(identityKey: string, identitySecret: Uint8Array, timestamp: number): DeviceCodeProof {
  return { identity_key: identityKey, timestamp, signature: encodeBase64(ed25519.sign(deviceCodeSigningBytes(identityKey, timestamp), identitySecret)) };
}

/** True when the proof is signed by its identity key. Freshness is the caller's check. Never throws. */
export function verifyDeviceCodeRequest(proof: DeviceCodeProof): boolean {
  try {
    const identity = decodeBase64(proof.identity_key);
    const sig = decodeBase64(proof.signature);
    if (identity.length !== 32 || sig.length !== 64) return false;
    return ed25519.verify(sig, deviceCodeSigningBytes(proof.identity_key, proof.timestamp), identity);
  } catch {
    return false;
  }
}
