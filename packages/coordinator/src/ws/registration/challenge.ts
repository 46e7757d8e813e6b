import { randomBytes } from "node:crypto";
import {
  CHALLENGE_NONCE_BYTES,
  verifyChallengeSignature,
  type Attestation,
  type AttestationResponseFrame,
  type Challenge,
} from "@darkbloom/protocol";

/** A fresh challenge: 32 random bytes (base64) and the coordinator's time. */
export function newChallenge(now: number): Challenge {
  return { nonce: randomBytes(CHALLENGE_NONCE_BYTES).toString("base64"), timestamp: now };
}

/**
 * True when the response answers exactly this challenge and is signed by the attestation's
 * identity key over this connection's sealing key: proof that the registering party holds the
 * identity secret, which a replayed (public) attestation does not give.
 */
export function provesPossession(challenge: Challenge, response: AttestationResponseFrame, att: Attestation): boolean {
  if (response.nonce !== challenge.nonce || response.timestamp !== challenge.timestamp) return false;
  return verifyChallengeSignature(challenge, att.encryption_key, att.identity_key, response.signature);
}
