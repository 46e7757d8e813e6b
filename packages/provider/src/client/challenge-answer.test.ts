import assert from "node:assert/strict";
import { test } from "node:test";
import {
  challengeSubject,
  encodeBase64,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  verifyChallengeSignature,
  type HardwareChallenge,
  type HardwareEvidence,
} from "@darkbloom/protocol";
import type { HardwareAttester } from "../tpm/index.js";
import { answerChallenge } from "./challenge-answer.js";

const evidence: HardwareEvidence = { kind: "tpm2", ak_public: "AAAA", quote: "AAAA", signature: "AAAA" };

test("the answer signs the challenge and carries hardware evidence over the challenge subject, answering its hardware challenge", async () => {
  const identity = await generateIdentityKeyPair();
  const keyPair = await generateEncryptionKeyPair();
  const seen: { subject: Uint8Array; challenge: HardwareChallenge | undefined }[] = [];
  const hardware: HardwareAttester = {
    registerEvidence: () => Promise.reject(new Error("unused")),
    responseEvidence: async (subject, challenge) => (seen.push({ subject, challenge }), { ...evidence, credential: "AAAA" }),
    close: async () => undefined,
  };
  const hwChallenge: HardwareChallenge = { kind: "tpm2", id_object: "AAAA", encrypted_secret: "AAAA" };
  const frame = { type: "attestation_challenge" as const, nonce: "bm9uY2U=", timestamp: 5, hardware_challenge: hwChallenge };
  const answer = await answerChallenge(frame, { keyPair, identitySecret: identity.secretKey, hardware, log: () => undefined });
  const encryptionKey = encodeBase64(keyPair.publicKey);
  assert.ok(verifyChallengeSignature({ nonce: frame.nonce, timestamp: 5 }, encryptionKey, encodeBase64(identity.publicKey), answer.signature));
  assert.deepEqual(answer.hardware_evidence, { ...evidence, credential: "AAAA" });
  assert.deepEqual(seen, [{ subject: challengeSubject({ nonce: frame.nonce, timestamp: 5 }, encryptionKey), challenge: hwChallenge }]);
});

test("a failing TPM is logged and the answer goes without evidence (the provider stays self_signed)", async () => {
  const identity = await generateIdentityKeyPair();
  const keyPair = await generateEncryptionKeyPair();
  const logged: string[] = [];
  const hardware: HardwareAttester = {
    registerEvidence: () => Promise.reject(new Error("unused")),
    responseEvidence: () => Promise.reject(new Error("tpm2_quote failed")),
    close: async () => undefined,
  };
  const answer = await answerChallenge({ type: "attestation_challenge", nonce: "bm9uY2U=", timestamp: 5 }, { keyPair, identitySecret: identity.secretKey, hardware, log: (e, f) => logged.push(`${e} ${String(f.error)}`) });
  assert.equal(answer.hardware_evidence, undefined);
  assert.deepEqual(logged, ["hardware_evidence_failed tpm2_quote failed"]);
});
