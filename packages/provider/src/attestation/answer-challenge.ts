import { encodeBase64, signChallenge, type Attestation, type AttestationChallengeFrame, type AttestationResponseFrame, type EncryptionKeyPair } from "@darkbloom/protocol";

export interface ChallengeSigner {
  keyPair: EncryptionKeyPair;
  identitySecret: Uint8Array;
  /** A freshly signed attestation carrying this nonce (absent: the answer carries none). */
  attest?: (nonce: string) => Promise<Attestation>;
}

/**
 * The answer to an attestation challenge: the identity key's signature over the coordinator's nonce,
 * timestamp and this process's encryption key, with the attestation re-signed for the nonce (the
 * coordinator publishes it, so the network always sees a fresh one).
 */
export async function answerChallenge(frame: AttestationChallengeFrame, signer: ChallengeSigner): Promise<AttestationResponseFrame> {
  const challenge = { nonce: frame.nonce, timestamp: frame.timestamp };
  const signature = signChallenge(challenge, encodeBase64(signer.keyPair.publicKey), signer.identitySecret);
  const attestation = signer.attest ? await signer.attest(frame.nonce) : undefined;
  return { type: "attestation_response", ...challenge, signature, ...(attestation && { attestation }) };
}
