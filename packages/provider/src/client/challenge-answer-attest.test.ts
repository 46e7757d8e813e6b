import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeBase64, generateEncryptionKeyPair, generateIdentityKeyPair, verifyAttestation, verifyChallengeSignature } from "@darkbloom/protocol";
import { describeHardware } from "./register.js";
import { answerChallenge } from "./challenge-answer.js";
import { attestServedModels } from "../attestation/build.js";

test("a challenge answer signs nonce + timestamp + encryption key and carries an attestation re-signed for the nonce", async () => {
  const identity = await generateIdentityKeyPair();
  const keyPair = await generateEncryptionKeyPair();
  const hash = "ab".repeat(32);
  const frame = { type: "attestation_challenge" as const, nonce: encodeBase64(new Uint8Array(32).fill(7)), timestamp: 1_800_000_000_000 };
  const models = [{ id: "m", size_bytes: 1, quantization: "q", context_length: 64, template_render_ok: true, weight_hash: hash }];
  const answer = await answerChallenge(frame, { keyPair, identitySecret: identity.secretKey, log: () => undefined, attest: (nonce) => attestServedModels(identity, keyPair, models, describeHardware("cpu"), nonce, 1_800_000_000_500) });
  assert.equal(answer.nonce, frame.nonce);
  assert.equal(answer.timestamp, frame.timestamp);
  assert.equal(verifyChallengeSignature(frame, encodeBase64(keyPair.publicKey), encodeBase64(identity.publicKey), answer.signature), true);
  const att = answer.attestation!;
  assert.equal(att.nonce, frame.nonce);
  assert.equal(att.timestamp, 1_800_000_000_500);
  assert.equal(att.kid, keyPair.kid);
  assert.deepEqual(att.models, [{ id: "m", weight_hash: hash }]);
  assert.equal(await verifyAttestation(att), true);
  // Without an attester (older callers) the answer carries no attestation.
  assert.equal((await answerChallenge(frame, { keyPair, identitySecret: identity.secretKey, log: () => undefined })).attestation, undefined);
});
