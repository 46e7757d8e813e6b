import { z } from "zod";
import { ed25519 } from "@noble/curves/ed25519.js";
import { decodeBase64, encodeBase64, isBase64, utf8Encode } from "../seal/bytes.js";
import { canonicalJson } from "./canonical-json.js";

/**
 * Proof of possession of a provider's identity key. The coordinator sends a fresh random nonce and
 * its timestamp; the provider signs, with its Ed25519 identity key, the canonical JSON of
 * {domain, nonce, timestamp, encryption_key}: a signature that binds this connection's challenge to
 * the sealing key it registered. A replayed attestation (public at /v1/providers/keys) cannot
 * answer a nonce it has never seen.
 */

const DOMAIN = "darkbloom/v2 challenge";
/** Challenge nonces are 32 random bytes, base64. */
export const CHALLENGE_NONCE_BYTES = 32;

const b64 = z.string().max(128).refine(isBase64, "expected standard base64");

export const ChallengeSchema = z.object({
  nonce: b64,
  timestamp: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type Challenge = z.infer<typeof ChallengeSchema>;

/** The exact bytes signed in answer to a challenge. */
export function challengeSigningBytes(challenge: Challenge, encryptionKey: string): Uint8Array {
  return utf8Encode(canonicalJson({ domain: DOMAIN, nonce: challenge.nonce, timestamp: challenge.timestamp, encryption_key: encryptionKey }));
}

/** Signs the challenge for the sealing key `encryptionKey` (base64) with the identity secret key. */
export function signChallenge(challenge: Challenge, encryptionKey: string, identitySecret: Uint8Array): string {
  return encodeBase64(ed25519.sign(challengeSigningBytes(challenge, encryptionKey), identitySecret));
}

/** True when `signature` (base64) is identityKey's signature over the challenge. Never throws. */
export function verifyChallengeSignature(challenge: Challenge, encryptionKey: string, identityKey: string, signature: string): boolean {
  try {
    const identity = decodeBase64(identityKey);
    const sig = decodeBase64(signature);
    if (identity.length !== 32 || sig.length !== 64) return false;
    return ed25519.verify(sig, challengeSigningBytes(challenge, encryptionKey), identity);
  } catch {
    return false;
  }
}
