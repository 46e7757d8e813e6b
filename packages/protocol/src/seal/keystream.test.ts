import assert from "node:assert/strict";
import { test } from "node:test";
import { randomBytes } from "@noble/hashes/utils.js";
import { encodeBase64, utf8Encode } from "./bytes.js";
import { createStreamOpener, createStreamSealer, generateEncryptionKeyPair, openRequest, sealRequest, SealError } from "./index.js";

test("replaying one envelope: each response is keyed by fresh salt, so the streams share no keystream", async () => {
  const kp = await generateEncryptionKeyPair();
  const { envelope, responseKeys } = await sealRequest(utf8Encode('{"q":1}'), [kp]);
  const first = await openRequest(envelope, kp);
  const replayed = await openRequest(structuredClone(envelope), kp);
  assert.deepEqual(first.responseKey, replayed.responseKey, "the exported secret is deterministic per envelope");
  assert.equal(first.enc, replayed.enc, "the provider sees the same enc: what its replay cache keys on");

  const known = utf8Encode("x".repeat(256));
  const a = createStreamSealer(first.responseKey, kp.kid).seal(known, true);
  const b = createStreamSealer(replayed.responseKey, kp.kid).seal(known, true);
  assert.notEqual(a.salt, b.salt);
  const ca = Buffer.from(a.ct, "base64");
  const cb = Buffer.from(b.ct, "base64");
  // With a shared keystream, one known completion would reveal the other: ct_a ⊕ ct_b = pt_a ⊕ pt_b.
  let equal = 0;
  for (let i = 0; i < known.length; i++) if (ca[i] === cb[i]) equal++;
  assert.ok(equal < 16, `${equal}/256 ciphertext bytes coincide`);
  const secret = responseKeys.get(kp.kid)!;
  assert.deepEqual(createStreamOpener(secret).open(a), known);
  assert.deepEqual(createStreamOpener(secret).open(b), known);
});

test("the salt is authenticated: a swapped, missing or misplaced salt fails", () => {
  const secret = randomBytes(32);
  const sealer = createStreamSealer(secret, "kid");
  const c0 = sealer.seal(utf8Encode("a"), false);
  const c1 = sealer.seal(utf8Encode("b"), true);
  assert.equal(c1.salt, undefined, "only chunk 0 carries the salt");
  const isSeal = (code: string) => (e: unknown) => e instanceof SealError && e.code === code;
  assert.throws(() => createStreamOpener(secret).open({ ...c0, salt: encodeBase64(randomBytes(32)) }), isSeal("auth_failed"));
  const { salt: _s, ...noSalt } = c0;
  assert.throws(() => createStreamOpener(secret).open(noSalt), isSeal("malformed"));
  assert.throws(() => createStreamOpener(secret).open({ ...c0, salt: encodeBase64(randomBytes(16)) }), isSeal("malformed"));
  const opener = createStreamOpener(secret);
  opener.open(c0);
  assert.throws(() => opener.open({ ...c1, salt: c0.salt! }), isSeal("malformed"));
});
