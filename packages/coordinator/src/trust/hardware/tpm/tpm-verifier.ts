import { X509Certificate, randomBytes, timingSafeEqual } from "node:crypto";
import { decodeBase64, encodeBase64, type HardwareEvidence, type Tpm2Evidence } from "@darkbloom/protocol";
import type { HardwareResult, HardwareSession, HardwareVerdict, HardwareVerifier } from "../types.js";
import { ekChainProblem } from "./ek-chain.js";
import { makeCredential } from "./make-credential.js";
import { akProblem, quoteProblem } from "./quote.js";
import { objectName, parsePublic, type TpmPublic } from "./structures.js";

const CREDENTIAL_BYTES = 32;

export interface TpmVerifierOptions {
  /** Trusted issuers of endorsement-key certificates (the CA dir). */
  anchors: readonly X509Certificate[];
  /** Random bytes (the credential secret and MakeCredential seed); default crypto.randomBytes. */
  random?: (n: number) => Uint8Array;
}

/**
 * TPM 2.0 verifier. Register evidence must carry an EK certificate issued by a configured CA, a
 * restricted signing AK, and the AK's quote over the attestation hash. The AK is then bound to
 * that EK by credential activation: the session's challenge is a secret encrypted to the EK for
 * the AK's name (TPM2_MakeCredential), which only that TPM can recover, and only with that AK
 * loaded; the answer (and a fresh quote over the challenge) comes back in the attestation_response.
 * Later responses must carry fresh quotes by the same AK.
 */
export class TpmVerifier implements HardwareVerifier {
  readonly kind = "tpm2" as const;
  private readonly random: (n: number) => Uint8Array;

  constructor(private readonly opts: TpmVerifierOptions) {
    this.random = opts.random ?? ((n) => randomBytes(n));
  }

  async verify(evidence: HardwareEvidence, subjectHash: Uint8Array, now: number): Promise<HardwareVerdict> {
    try {
      return this.verifyTpm(evidence, subjectHash, now);
    } catch (err) {
      return { ok: false, reason: `malformed TPM evidence: ${(err as Error).message}` };
    }
  }

  private verifyTpm(evidence: Tpm2Evidence, subjectHash: Uint8Array, now: number): HardwareVerdict {
    if (evidence.ek_cert === undefined) return { ok: false, reason: "TPM evidence has no EK certificate" };
    const ek = new X509Certificate(Buffer.from(decodeBase64(evidence.ek_cert)));
    const chain = ekChainProblem(ek, this.opts.anchors, now);
    if (chain) return { ok: false, reason: chain };
    const akBytes = decodeBase64(evidence.ak_public);
    const ak = parsePublic(akBytes);
    const problem = akProblem(ak) ?? quoteProblem(ak, decodeBase64(evidence.quote), decodeBase64(evidence.signature), subjectHash);
    if (problem) return { ok: false, reason: problem };
    const name = objectName(ak);
    const secret = this.random(CREDENTIAL_BYTES);
    const { idObject, encryptedSecret } = makeCredential(ek.publicKey, name, secret, this.random(32));
    const detail = `TPM EK ${ek.fingerprint256.replace(/:/g, "").slice(0, 16).toLowerCase()}, AK ${Buffer.from(name).toString("hex").slice(4, 20)}`;
    const session = new TpmSession(ak, akBytes, secret, { kind: "tpm2", id_object: encodeBase64(idObject), encrypted_secret: encodeBase64(encryptedSecret) }, detail);
    return { ok: true, detail, session };
  }
}

class TpmSession implements HardwareSession {
  private activated = false;

  constructor(
    private readonly ak: TpmPublic,
    private readonly akBytes: Uint8Array,
    private readonly secret: Uint8Array,
    readonly challenge: NonNullable<HardwareSession["challenge"]>,
    private readonly detail: string,
  ) {}

  async check(evidence: HardwareEvidence | undefined, subjectHash: Uint8Array): Promise<HardwareResult> {
    if (evidence === undefined) return { ok: false, reason: "the response carries no TPM evidence" };
    try {
      const akBytes = decodeBase64(evidence.ak_public);
      if (akBytes.length !== this.akBytes.length || !timingSafeEqual(akBytes, this.akBytes)) return { ok: false, reason: "the response's AK is not the registered one" };
      if (!this.activated) {
        const answer = evidence.credential === undefined ? undefined : decodeBase64(evidence.credential);
        if (!answer || answer.length !== this.secret.length || !timingSafeEqual(answer, this.secret)) {
          return { ok: false, reason: "credential activation failed: the AK is not in the TPM of the certified EK" };
        }
      }
      const problem = quoteProblem(this.ak, decodeBase64(evidence.quote), decodeBase64(evidence.signature), subjectHash);
      if (problem) return { ok: false, reason: problem };
      this.activated = true;
      return { ok: true, detail: this.detail };
    } catch (err) {
      return { ok: false, reason: `malformed TPM evidence: ${(err as Error).message}` };
    }
  }
}
