import { test } from "node:test";
import assert from "node:assert/strict";
import { generateEncryptionKeyPair, keyId, openRequest, sealRequest, SealedRequestSchema, SealError, SEAL_SUITE } from "./index.js";
import { decodeBase64, encodeBase64, utf8Decode, utf8Encode } from "./bytes.js";
import type { SealedRequest } from "./envelope.js";

const body = utf8Encode(JSON.stringify({ model: "m", messages: [{ role: "user", content: "secret prompt ✓" }] }));

function flipB64(s: string, at = 0): string {
  const b = decodeBase64(s).slice();
  b[at]! ^= 1;
  return encodeBase64(b);
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof SealError && err.code === code);
}

test("keyId is the first 16 hex chars of sha256(pub)", async () => {
  const kp = await generateEncryptionKeyPair();
  assert.match(kp.kid, /^[0-9a-f]{16}$/);
  assert.equal(kp.kid, keyId(kp.publicKey));
  assert.equal(kp.publicKey.length, 32);
  assert.equal(keyId(new Uint8Array(32)), "66687aadf862bd77");
  assert.equal(JSON.stringify(kp).includes("private"), false);
});

test("round trip with one recipient", async () => {
  const kp = await generateEncryptionKeyPair();
  const { envelope, responseKeys } = await sealRequest(body, [kp]);
  assert.equal(envelope.suite, SEAL_SUITE);
  SealedRequestSchema.parse(JSON.parse(JSON.stringify(envelope)));
  const opened = await openRequest(envelope, kp);
  assert.equal(utf8Decode(opened.plaintext), utf8Decode(body));
  assert.deepEqual(opened.responseKey, responseKeys.get(kp.kid));
  assert.equal(opened.responseKey.length, 32);
});

test("round trip with three recipients: each opens, response keys match per kid and differ", async () => {
  const kps = await Promise.all([1, 2, 3].map(() => generateEncryptionKeyPair()));
  const aad = utf8Encode("route:m");
  const { envelope, responseKeys } = await sealRequest(body, kps, aad);
  assert.equal(envelope.recipients.length, 3);
  assert.equal(responseKeys.size, 3);
  for (const kp of kps) {
    const opened = await openRequest(envelope, kp, aad);
    assert.deepEqual(opened.plaintext, body);
    assert.deepEqual(opened.responseKey, responseKeys.get(kp.kid));
  }
  assert.equal(new Set([...responseKeys.values()].map((k) => encodeBase64(k))).size, 3);
  await rejects(openRequest(envelope, kps[0]!, utf8Encode("route:other")), "auth_failed");
});

test("a key pair that is not a recipient fails with no_recipient", async () => {
  const [a, b] = await Promise.all([generateEncryptionKeyPair(), generateEncryptionKeyPair()]);
  const { envelope } = await sealRequest(body, [a]);
  await rejects(openRequest(envelope, b), "no_recipient");
});

test("the wrong private key under a matching kid fails authentication", async () => {
  const [a, b] = await Promise.all([generateEncryptionKeyPair(), generateEncryptionKeyPair()]);
  const { envelope } = await sealRequest(body, [a]);
  const forged: SealedRequest = { ...envelope, recipients: envelope.recipients.map((r) => ({ ...r, kid: b.kid })) };
  await rejects(openRequest(forged, b), "auth_failed");
});

test("tampered envelopes fail", async () => {
  const kp = await generateEncryptionKeyPair();
  const { envelope } = await sealRequest(body, [kp]);
  const r0 = envelope.recipients[0]!;
  const cases: SealedRequest[] = [
    { ...envelope, ciphertext: flipB64(envelope.ciphertext, 3) },
    { ...envelope, ciphertext: flipB64(envelope.ciphertext, decodeBase64(envelope.ciphertext).length - 1) },
    { ...envelope, nonce: flipB64(envelope.nonce) },
    { ...envelope, recipients: [{ ...r0, key: flipB64(r0.key, 5) }] },
    { ...envelope, recipients: [{ ...r0, enc: flipB64(r0.enc, 7) }] },
  ];
  for (const c of cases) await rejects(openRequest(c, kp), "auth_failed");
  await rejects(openRequest({ ...envelope, suite: "other" }, kp), "malformed");
  await rejects(openRequest({ ...envelope, nonce: encodeBase64(new Uint8Array(8)) }, kp), "malformed");
  await rejects(openRequest({ ...envelope, recipients: [{ ...r0, enc: "!!!!" }] }, kp), "malformed");
});

test("sealRequest rejects unusable recipients", async () => {
  const kp = await generateEncryptionKeyPair();
  await rejects(sealRequest(body, []), "bad_recipient");
  await rejects(sealRequest(body, [{ kid: "0000000000000000", publicKey: kp.publicKey }]), "bad_recipient");
  await rejects(sealRequest(body, [{ kid: keyId(new Uint8Array(31)), publicKey: new Uint8Array(31) }]), "bad_recipient");
  const { envelope } = await sealRequest(body, [kp, { kid: kp.kid, publicKey: kp.publicKey }]);
  assert.equal(envelope.recipients.length, 1);
});

test("every envelope uses a fresh content key and nonce", async () => {
  const kp = await generateEncryptionKeyPair();
  const a = await sealRequest(body, [kp]);
  const b = await sealRequest(body, [kp]);
  assert.notEqual(a.envelope.ciphertext, b.envelope.ciphertext);
  assert.notEqual(a.envelope.nonce, b.envelope.nonce);
  assert.notDeepEqual(a.responseKeys.get(kp.kid), b.responseKeys.get(kp.kid));
});
