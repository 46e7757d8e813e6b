import { z } from "zod";
import { sha256 } from "@noble/hashes/sha2.js";
import { isBase64 } from "../seal/bytes.js";
import { attestationSigningBytes, type Attestation } from "./attestation.js";
import { challengeSigningBytes, type Challenge } from "./challenge.js";

/**
 * Hardware-backed evidence a provider may add to `register` and `attestation_response`: a tagged
 * union by `kind` so further kinds (Apple Secure Enclave, NVIDIA confidential computing) are one
 * more member. Every field is size-bounded; the coordinator's verifier for the kind decides.
 *
 * Subjects: evidence on `register` covers `attestationSubject(frame.attestation)`; evidence on an
 * `attestation_response` covers `challengeSubject(challenge, encryption_key)` (the coordinator's
 * fresh nonce + timestamp + the sealing key), so every answered challenge is a fresh hardware proof.
 */

const b64 = (maxChars: number) => z.string().min(1).max(maxChars).refine(isBase64, "expected standard base64");

/**
 * TPM 2.0: a quote (TPMS_ATTEST) whose `extraData` is the subject hash, signed by an attestation
 * key (AK, TPM2B_PUBLIC) that lives in the same TPM as the endorsement key certified by `ek_cert`.
 */
export const Tpm2EvidenceSchema = z.object({
  kind: z.literal("tpm2"),
  /** The EK certificate (DER, base64) from the TPM's NV index; required on `register`. */
  ek_cert: b64(8192).optional(),
  /** TPM2B_PUBLIC of the attestation key. */
  ak_public: b64(1400),
  /** TPMS_ATTEST bytes of a TPM2_Quote. */
  quote: b64(2048),
  /** TPMT_SIGNATURE by the AK over `quote`. */
  signature: b64(1400),
  /** The secret recovered with TPM2_ActivateCredential from the coordinator's `hardware_challenge`. */
  credential: b64(128).optional(),
});
export type Tpm2Evidence = z.infer<typeof Tpm2EvidenceSchema>;

export const HardwareEvidenceSchema = z.discriminatedUnion("kind", [Tpm2EvidenceSchema]);
export type HardwareEvidence = z.infer<typeof HardwareEvidenceSchema>;

/**
 * TPM 2.0 credential activation (TPM2_MakeCredential output for the provider's EK and AK name):
 * only the TPM holding that EK, with that AK loaded, can recover the secret.
 */
export const Tpm2ChallengeSchema = z.object({
  kind: z.literal("tpm2"),
  /** TPM2B_ID_OBJECT (with its size prefix). */
  id_object: b64(700),
  /** TPM2B_ENCRYPTED_SECRET (with its size prefix). */
  encrypted_secret: b64(1400),
});
export type Tpm2Challenge = z.infer<typeof Tpm2ChallengeSchema>;

export const HardwareChallengeSchema = z.discriminatedUnion("kind", [Tpm2ChallengeSchema]);
export type HardwareChallenge = z.infer<typeof HardwareChallengeSchema>;

/** The hash register evidence covers: SHA-256 of the attestation's signing bytes. */
export function attestationSubject(att: Attestation): Uint8Array {
  return sha256(attestationSigningBytes(att));
}

/** The hash attestation_response evidence covers: SHA-256 of the challenge's signing bytes. */
export function challengeSubject(challenge: Challenge, encryptionKey: string): Uint8Array {
  return sha256(challengeSigningBytes(challenge, encryptionKey));
}
