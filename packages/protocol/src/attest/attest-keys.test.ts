import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeBase64, generateEncryptionKeyPair } from "../seal/index.js";
import { attestKeys } from "./attest-keys.js";
import { generateIdentityKeyPair, verifyAttestation } from "./attestation.js";

test("attestKeys binds the sealing key to the identity key and verifies", async () => {
  const identity = await generateIdentityKeyPair();
  const keys = await generateEncryptionKeyPair();
  const att = await attestKeys(identity, keys, { provider_version: "1", models: [{ id: "m" }], hardware: {}, nonce: "n", timestamp: 1 });
  assert.equal(att.kid, keys.kid);
  assert.equal(att.encryption_key, encodeBase64(keys.publicKey));
  assert.equal(att.identity_key, encodeBase64(identity.publicKey));
  assert.equal(await verifyAttestation(att), true);
  const other = await generateEncryptionKeyPair();
  assert.equal(await verifyAttestation({ ...att, encryption_key: encodeBase64(other.publicKey) }), false);
});
