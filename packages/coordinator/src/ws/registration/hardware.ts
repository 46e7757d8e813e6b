import {
  attestationSubject,
  challengeSubject,
  type AttestationResponseFrame,
  type Challenge,
  type RegisterFrame,
} from "@darkbloom/protocol";
import type { Logger } from "../../log/index.js";
import type { HardwareSession, HardwareVerifiers } from "../../trust/index.js";

/**
 * Checks a register frame's hardware evidence (over the attestation hash). A failure is logged and
 * only means the provider stays `self_signed`; it never refuses the registration.
 */
export async function startHardwareCheck(frame: RegisterFrame, verifiers: HardwareVerifiers | undefined, now: number, log: Logger): Promise<HardwareSession | undefined> {
  const evidence = frame.hardware_evidence;
  if (evidence === undefined) return undefined;
  if (!verifiers || verifiers.size === 0) {
    log.info("hardware evidence ignored: no hardware verifier configured (DARKBLOOM_TPM_CA_DIR)", { kind: evidence.kind });
    return undefined;
  }
  const verdict = await verifiers.verify(evidence, attestationSubject(frame.attestation), now);
  if (!verdict.ok) {
    log.warn("hardware evidence refused; trust stays self_signed", { kind: evidence.kind, reason: verdict.reason });
    return undefined;
  }
  return verdict.session;
}

/**
 * Checks an attestation_response's hardware evidence (over the challenge it answers) against the
 * session: true when the provider proved its hardware again. Logs why not.
 */
export async function hardwareAnswered(
  session: HardwareSession,
  response: AttestationResponseFrame,
  challenge: Challenge,
  encryptionKey: string,
  now: number,
  log: Logger,
): Promise<boolean> {
  const result = await session.check(response.hardware_evidence, challengeSubject(challenge, encryptionKey), now);
  if (!result.ok) log.warn("hardware proof failed; trust stays self_signed", { reason: result.reason });
  else log.info("hardware proof verified", { detail: result.detail });
  return result.ok;
}
