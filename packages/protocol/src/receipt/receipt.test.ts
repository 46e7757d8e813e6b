import assert from "node:assert/strict";
import { test } from "node:test";
import { generateIdentityKeyPair } from "../attest/index.js";
import { createStreamOpener, createStreamSealer, encodeBase64, SealError, utf8Decode, utf8Encode } from "../seal/index.js";
import { ResponseHasher, receiptMismatches, sameReceipt, SignedReceiptSchema, signReceipt, verifyReceipt, type SignedReceipt } from "./index.js";

const fields = { request_id: "req_1", model: "m", prompt_tokens: 12, completion_tokens: 4, response_hash: "ab".repeat(32) };

test("a signed receipt verifies with the identity key and survives JSON", async () => {
  const id = await generateIdentityKeyPair();
  const r = signReceipt(fields, id.secretKey);
  const key = encodeBase64(id.publicKey);
  assert.equal(verifyReceipt(r, key), true);
  assert.equal(verifyReceipt(SignedReceiptSchema.parse(JSON.parse(JSON.stringify({ ...r, extra: 1 }))), key), true);
  assert.equal(sameReceipt(r, fields), true);
});

test("every tampered field, a wrong key and a malformed signature fail", async () => {
  const id = await generateIdentityKeyPair();
  const other = await generateIdentityKeyPair();
  const r = signReceipt(fields, id.secretKey);
  const key = encodeBase64(id.publicKey);
  const tampered: SignedReceipt[] = [
    { ...r, request_id: "req_2" },
    { ...r, model: "m2" },
    { ...r, prompt_tokens: 13 },
    { ...r, completion_tokens: 5 },
    { ...r, response_hash: "cd".repeat(32) },
    { ...r, signature: encodeBase64(new Uint8Array(64)) },
    { ...r, signature: "not base64!" },
    { ...r, completion_tokens: -1 },
  ];
  for (const t of tampered) assert.equal(verifyReceipt(t, key), false, JSON.stringify(t));
  assert.equal(verifyReceipt(r, encodeBase64(other.publicKey)), false);
  assert.equal(verifyReceipt(signReceipt(fields, other.secretKey), key), false);
  assert.equal(verifyReceipt(r, "short"), false);
});

test("the receipt signature is domain-separated from other signed canonical JSON", async () => {
  const { ed25519 } = await import("@noble/curves/ed25519.js");
  const { canonicalJson } = await import("../attest/index.js");
  const id = await generateIdentityKeyPair();
  // A signature over the bare fields (no domain) is not a receipt signature.
  const bare = encodeBase64(ed25519.sign(utf8Encode(canonicalJson(fields)), id.secretKey));
  assert.equal(verifyReceipt({ ...fields, signature: bare }, encodeBase64(id.publicKey)), false);
});

test("the response hash covers seq, final flag, ciphertext and order", () => {
  const hash = (chunks: { seq: number; final: boolean; ct: string }[]) => {
    const h = new ResponseHasher();
    for (const c of chunks) h.add(c);
    return h.digest();
  };
  const a = [{ seq: 0, final: false, ct: "AAAA" }, { seq: 1, final: true, ct: "BBBB" }];
  assert.match(hash(a), /^[0-9a-f]{64}$/);
  assert.equal(hash(a), hash(a.map((c) => ({ ...c }))));
  assert.notEqual(hash(a), hash([a[1]!, a[0]!]));
  assert.notEqual(hash(a), hash([a[0]!, { ...a[1]!, final: false }]));
  assert.notEqual(hash(a), hash([a[0]!, { ...a[1]!, ct: "BBBC" }]));
  assert.notEqual(hash(a), hash([a[0]!]));
  // Length-prefixed: moving bytes across a chunk boundary changes the hash.
  assert.notEqual(hash([{ seq: 0, final: false, ct: "AAAAB" }, { seq: 1, final: true, ct: "BBB" }]), hash(a));
  const h = new ResponseHasher();
  h.add(a[0]!);
  assert.equal(h.digest(), h.digest());
});

test("the sealed receipt opens only with the response key, never as a chunk", () => {
  const secret = new Uint8Array(32).fill(9);
  const sealer = createStreamSealer(secret, "kid0123456789abc");
  const c0 = sealer.seal(utf8Encode("hello"), true);
  const sealed = sealer.sealReceipt(utf8Encode('{"r":1}'));
  assert.throws(() => sealer.sealReceipt(utf8Encode("again")), SealError);
  const opener = createStreamOpener(secret);
  assert.throws(() => opener.openReceipt(sealed), SealError); // before chunk 0
  opener.open(c0);
  assert.equal(utf8Decode(opener.openReceipt(sealed)), '{"r":1}');
  // A content chunk's ciphertext is no receipt, and a flipped byte fails.
  assert.throws(() => opener.openReceipt({ kid: sealed.kid, ct: c0.ct }), SealError);
  const ct = Buffer.from(sealed.ct, "base64");
  ct[0]! ^= 1;
  assert.throws(() => opener.openReceipt({ kid: sealed.kid, ct: ct.toString("base64") }), SealError);
  // Another response's key does not open it.
  const other = createStreamOpener(new Uint8Array(32).fill(8));
  assert.throws(() => other.open(c0), SealError);
});

test("receiptMismatches: hash, request, completion and prompt bounds", () => {
  const ok = { responseHash: fields.response_hash, model: "m", requestBytes: 100, textBytes: 10 };
  assert.deepEqual(receiptMismatches(fields, ok), []);
  assert.deepEqual(receiptMismatches(fields, { ...ok, responseHash: "00".repeat(32) }).map((m) => m.reason), ["response_hash"]);
  assert.deepEqual(receiptMismatches(fields, { ...ok, model: "x" }).map((m) => m.reason), ["request"]);
  assert.deepEqual(receiptMismatches(fields, { ...ok, requestId: "other" }).map((m) => m.reason), ["request"]);
  // Slack: 8 tokens beyond the text bytes, plus the stop strings' bytes.
  assert.deepEqual(receiptMismatches({ ...fields, completion_tokens: 18 }, ok), []);
  assert.deepEqual(receiptMismatches({ ...fields, completion_tokens: 19 }, ok), [{ reason: "completion_tokens", claimed: 19, allowed: 18 }]);
  assert.deepEqual(receiptMismatches({ ...fields, completion_tokens: 19 }, { ...ok, stopBytes: 1 }), []);
  assert.deepEqual(receiptMismatches({ ...fields, prompt_tokens: 357 }, ok), [{ reason: "prompt_tokens", claimed: 357, allowed: 356 }]);
});
