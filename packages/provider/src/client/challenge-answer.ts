import {
  challengeSubject,
  encodeBase64,
  signChallenge,
  type Attestation,
  type AttestationChallengeFrame,
  type AttestationResponseFrame,
  type EncryptionKeyPair,
} from "@darkbloom/protocol";
import type { HardwareAttester } from "../tpm/index.js";

export interface ChallengeAnswerOptions {
  keyPair: EncryptionKeyPair;
  identitySecret: Uint8Array;
  hardware?: HardwareAttester;
  /** A freshly signed attestation carrying this nonce (the coordinator publishes it); absent: none sent. */
  attest?: (nonce: string) => Promise<Attestation>;
  log(event: string, fields: Record<string, unknown>): void;
}

/**
 * The answer to an attestation_challenge: the identity key's signature (proof of possession) and,
 * with a hardware attester, fresh evidence over the challenge plus the answer to its
 * `hardware_challenge`. A hardware failure is logged and the answer goes without evidence (the
 * coordinator then keeps this provider at `self_signed`).
 */
export async function answerChallenge(frame: AttestationChallengeFrame, opts: ChallengeAnswerOptions): Promise<AttestationResponseFrame> {
  const challenge = { nonce: frame.nonce, timestamp: frame.timestamp };
  const encryptionKey = encodeBase64(opts.keyPair.publicKey);
  const signature = signChallenge(challenge, encryptionKey, opts.identitySecret);
  const attestation = opts.attest ? await opts.attest(frame.nonce) : undefined;
  const response: AttestationResponseFrame = { type: "attestation_response", ...challenge, signature, ...(attestation && { attestation }) };
  if (!opts.hardware) return response;
  try {
    const evidence = await opts.hardware.responseEvidence(challengeSubject(challenge, encryptionKey), frame.hardware_challenge);
    return { ...response, hardware_evidence: evidence };
  } catch (err) {
    opts.log("hardware_evidence_failed", { error: (err as Error).message });
    return response;
  }
}
