import type { HardwareChallenge, HardwareEvidence } from "@darkbloom/protocol";

export type HardwareResult = { ok: true; detail: string } | { ok: false; reason: string };

/**
 * What a verifier knows about one provider after checking its register evidence: the challenge to
 * send (if the kind needs a round trip) and the check for every later piece of evidence from that
 * provider (the `attestation_response` to the registration challenge and to periodic ones).
 */
export interface HardwareSession {
  /** Sent in `attestation_challenge.hardware_challenge`; absent when the kind needs no round trip. */
  readonly challenge?: HardwareChallenge;
  /**
   * Checks response evidence over `subjectHash` (see `challengeSubject`): same hardware key as at
   * registration, a valid signature, and the answer to `challenge` when one was sent and not yet answered.
   */
  check(evidence: HardwareEvidence | undefined, subjectHash: Uint8Array, now: number): Promise<HardwareResult>;
}

export type HardwareVerdict = { ok: true; detail: string; session: HardwareSession } | { ok: false; reason: string };

/**
 * One kind of hardware-backed evidence (`tpm2` today; Apple Secure Enclave or NVIDIA confidential
 * computing slot in beside it). `verify` never throws: malformed evidence is `{ ok: false }`.
 */
export interface HardwareVerifier {
  readonly kind: HardwareEvidence["kind"];
  /** Checks register evidence over `subjectHash` (see `attestationSubject`) at time `now` (ms). */
  verify(evidence: HardwareEvidence, subjectHash: Uint8Array, now: number): Promise<HardwareVerdict>;
}
