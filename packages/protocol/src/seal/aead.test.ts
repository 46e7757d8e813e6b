import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "@noble/hashes/utils.js";
import { aead, nativeAead, portableAead } from "./aead.js";
import { decodeHex as h, encodeHex } from "./bytes.js";

test("RFC 8439 §2.8.2 AEAD vector (portable and native)", () => {
  const key = h("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  const nonce = h("070000004041424344454647");
  const aad = h("50515253c0c1c2c3c4c5c6c7");
  const pt = new TextEncoder().encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const tag = "1ae10b594f09e26a7e902ecbd0600691";
  for (const impl of [portableAead, nativeAead, aead]) {
    if (!impl) continue;
    const ct = impl.seal(key, nonce, aad, pt);
    assert.equal(encodeHex(ct.subarray(0, 16)), "d31a8d34648e60db7b86afbc53ef7ec2");
    assert.equal(encodeHex(ct.subarray(ct.length - 16)), tag);
    assert.deepEqual(impl.open(key, nonce, aad, ct), pt);
  }
});

test("native and portable interoperate and both reject tampering", () => {
  const nativeImpl = nativeAead;
  if (!nativeImpl) return;
  assert.equal(aead, nativeImpl, "Node uses the native implementation");
  for (const n of [0, 1, 63, 64, 65, 1000]) {
    const key = randomBytes(32), nonce = randomBytes(12), aad = randomBytes(n % 30), pt = randomBytes(n);
    const a = nativeImpl.seal(key, nonce, aad, pt);
    assert.deepEqual(a, portableAead.seal(key, nonce, aad, pt));
    assert.deepEqual(portableAead.open(key, nonce, aad, a), pt);
    assert.deepEqual(nativeImpl.open(key, nonce, aad, a), pt);
    const bad = a.slice();
    bad[bad.length - 1]! ^= 1;
    assert.throws(() => nativeImpl.open(key, nonce, aad, bad));
    assert.throws(() => portableAead.open(key, nonce, aad, bad));
    assert.throws(() => nativeImpl.open(key, nonce, new Uint8Array([9]), a));
  }
  assert.throws(() => nativeImpl.open(randomBytes(32), randomBytes(12), new Uint8Array(0), new Uint8Array(5)));
});
