import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeBase64, encodeHex, type HardwareChallenge, type HardwareEvidence } from "@darkbloom/protocol";
import { credentialFile } from "./credential-file.js";
import { TctiSchema, TpmToolError } from "./tcti.js";
import { runTpm2 } from "./tools.js";

/** NV index of the RSA 2048 EK certificate (TCG EK Credential Profile). */
const EK_CERT_NV_INDEX = "0x01c00002";

/** Produces hardware evidence for the register frame and each attestation_response. */
export interface HardwareAttester {
  /** Evidence over `subjectHash` (see `attestationSubject`) for the register frame. */
  registerEvidence(subjectHash: Uint8Array): Promise<HardwareEvidence>;
  /** Evidence over `subjectHash` (see `challengeSubject`), answering `challenge` when there is one. */
  responseEvidence(subjectHash: Uint8Array, challenge: HardwareChallenge | undefined): Promise<HardwareEvidence>;
  close(): Promise<void>;
}

/**
 * TPM 2.0 through tpm2-tools: at open, reads the EK certificate from NV, creates the EK (default
 * RSA template) and a fresh restricted RSA signing AK under it, kept as contexts in a private temp
 * dir. Quotes bind `subjectHash` as qualifying data; credential activation recovers the
 * coordinator's secret. Commands run one at a time (no resource manager is assumed: transient
 * objects are flushed after each).
 */
export class TpmAttester implements HardwareAttester {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly tcti: string,
    private readonly dir: string,
    private readonly ekCert: string,
    private readonly akPublic: string,
  ) {}

  static async open(tcti: string): Promise<TpmAttester> {
    const parsed = TctiSchema.safeParse(tcti);
    if (!parsed.success) throw new TpmToolError(`DARKBLOOM_TPM_TCTI is invalid: ${parsed.error.issues[0]?.message ?? "bad value"}`);
    const dir = await mkdtemp(join(tmpdir(), "darkbloom-tpm-"));
    try {
      const run = (tool: string, ...args: string[]) => runTpm2(tool, args, tcti, dir);
      await run("tpm2_flushcontext", "-t");
      await run("tpm2_nvread", EK_CERT_NV_INDEX, "-o", "ek.der").catch((err: Error) => {
        throw new TpmToolError(`no EK certificate in TPM NV index ${EK_CERT_NV_INDEX} (${err.message})`);
      });
      await run("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub");
      await run("tpm2_createak", "-C", "ek.ctx", "-c", "ak.ctx", "-G", "rsa", "-g", "sha256", "-s", "rsassa", "-u", "ak.pub", "-f", "tss");
      await run("tpm2_flushcontext", "-t");
      const ekCert = encodeBase64(await readFile(join(dir, "ek.der")));
      const akPublic = encodeBase64(await readFile(join(dir, "ak.pub")));
      return new TpmAttester(tcti, dir, ekCert, akPublic);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  registerEvidence(subjectHash: Uint8Array): Promise<HardwareEvidence> {
    return this.serial(async () => ({ ...(await this.quote(subjectHash)), ek_cert: this.ekCert }));
  }

  responseEvidence(subjectHash: Uint8Array, challenge: HardwareChallenge | undefined): Promise<HardwareEvidence> {
    return this.serial(async () => {
      const credential = challenge ? await this.activate(challenge) : undefined;
      return { ...(await this.quote(subjectHash)), ...(credential !== undefined && { credential }) };
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, ...args: string[]): Promise<string> {
    return runTpm2(tool, args, this.tcti, this.dir);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async quote(subjectHash: Uint8Array): Promise<HardwareEvidence> {
    try {
      await this.run("tpm2_quote", "-c", "ak.ctx", "-l", "sha256:0", "-q", encodeHex(subjectHash), "-m", "quote.msg", "-s", "quote.sig", "-g", "sha256");
    } finally {
      await this.run("tpm2_flushcontext", "-t").catch(() => undefined);
    }
    const [quote, signature] = await Promise.all([readFile(join(this.dir, "quote.msg")), readFile(join(this.dir, "quote.sig"))]);
    return { kind: "tpm2", ak_public: this.akPublic, quote: encodeBase64(quote), signature: encodeBase64(signature) };
  }

  /** TPM2_ActivateCredential with the EK (its policy needs the endorsement hierarchy's PolicySecret). */
  private async activate(challenge: HardwareChallenge): Promise<string> {
    await writeFile(join(this.dir, "cred.blob"), credentialFile(challenge));
    try {
      await this.run("tpm2_startauthsession", "--policy-session", "-S", "session.ctx");
      await this.run("tpm2_policysecret", "-S", "session.ctx", "-c", "e");
      await this.run("tpm2_activatecredential", "-c", "ak.ctx", "-C", "ek.ctx", "-i", "cred.blob", "-o", "activated.bin", "-P", "session:session.ctx");
      return encodeBase64(await readFile(join(this.dir, "activated.bin")));
    } finally {
      await this.run("tpm2_flushcontext", "session.ctx").catch(() => undefined);
      await this.run("tpm2_flushcontext", "-t").catch(() => undefined);
      await rm(join(this.dir, "activated.bin"), { force: true });
    }
  }
}
