import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeBase64, decodeHex, encodeBase64, encodeHex, isBase64 } from "./bytes.js";

test("base64 round trips every length and matches Buffer", () => {
  for (let n = 0; n < 70; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    const s = encodeBase64(b);
    assert.equal(s, Buffer.from(b).toString("base64"));
    assert.ok(isBase64(s));
    const back = decodeBase64(s);
    assert.equal(Object.getPrototypeOf(back), Uint8Array.prototype);
    assert.deepEqual(back, b);
  }
  assert.equal(encodeBase64(new Uint8Array(new ArrayBuffer(8), 2, 3).fill(255)), "////");
});

test("base64 rejects junk", () => {
  for (const s of ["abc", "ab$d", "a===", "ab=c"]) assert.throws(() => decodeBase64(s), TypeError, s);
  assert.equal(isBase64("ab-_"), false);
});

test("hex", () => {
  assert.equal(encodeHex(new Uint8Array([0, 15, 255])), "000fff");
  assert.deepEqual(decodeHex("000fFF"), new Uint8Array([0, 15, 255]));
  assert.throws(() => decodeHex("0g"), TypeError);
});

test("isBase64 accepts exactly the language of the canonical-shape regex", () => {
  const reference = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  const alphabet = "Az09+/=-_ \n";
  let s = 12345;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 0x1_0000_0000;
  for (let n = 0; n < 50_000; n++) {
    let x = "";
    for (let i = Math.floor(rand() * 14); i > 0; i--) x += alphabet[Math.floor(rand() * alphabet.length)];
    assert.equal(isBase64(x), x.length % 4 === 0 && reference.test(x), JSON.stringify(x));
  }
});
