import { verifyAttestation, verifyChallengeSignature, type Attestation, type AttestationResponseFrame, type Challenge } from "@darkbloom/protocol";

export type AnswerVerdict = { ok: true; attestation?: Attestation } | { ok: false; reason: string };

export interface AnswerContext {
  /** The attestation the provider is registered (and published) with. */
  current: Attestation;
  /** Models it serves now: a re-signed attestation must cover each of them. */
  servedModels: readonly string[];
  now: number;
  maxSkewMs: number;
}

/**
 * Checks an answer to a periodic challenge (pure): it echoes the challenge's timestamp, is signed by
 * the registered identity key over the nonce, timestamp and the current encryption key, and, when a
 * re-signed attestation comes with it, that attestation binds the same identity and sealing key,
 * carries this challenge's nonce, is within `maxSkewMs` of the coordinator's clock, covers the
 * served models and verifies. Nonce matching and replay are the ChallengeBook's job.
 */
export async function checkAnswer(challenge: Challenge, response: AttestationResponseFrame, ctx: AnswerContext): Promise<AnswerVerdict> {
  const { current } = ctx;
  if (response.timestamp !== challenge.timestamp) return { ok: false, reason: "response timestamp does not echo the challenge" };
  if (!verifyChallengeSignature(challenge, current.encryption_key, current.identity_key, response.signature)) {
    return { ok: false, reason: "challenge signature does not verify with the registered identity key over the current encryption key" };
  }
  const att = response.attestation;
  if (att === undefined) return { ok: true };
  if (att.identity_key !== current.identity_key) return { ok: false, reason: "re-signed attestation names another identity key" };
  if (att.encryption_key !== current.encryption_key || att.kid !== current.kid) return { ok: false, reason: "re-signed attestation is for another encryption key" };
  if (att.nonce !== challenge.nonce) return { ok: false, reason: "re-signed attestation does not carry the challenge nonce" };
  const skew = ctx.now - att.timestamp;
  if (Math.abs(skew) > ctx.maxSkewMs) {
    return { ok: false, reason: `clock skew: attestation timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "behind" : "ahead of"} the coordinator (limit ${Math.round(ctx.maxSkewMs / 1000)} s)` };
  }
  const covered = new Set(att.models.map((m) => m.id));
  const missing = ctx.servedModels.find((m) => !covered.has(m));
  if (missing !== undefined) return { ok: false, reason: `re-signed attestation does not cover served model ${JSON.stringify(missing.slice(0, 64))}` };
  if (!(await verifyAttestation(att))) return { ok: false, reason: "re-signed attestation does not verify" };
  return { ok: true, attestation: att };
}
