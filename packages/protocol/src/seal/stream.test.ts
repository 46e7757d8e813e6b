import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "@noble/hashes/utils.js";
import { createStreamOpener, createStreamSealer, parseSealedChunk, SealedChunkSchema, SealError, type SealedChunk } from "./index.js";
import { decodeBase64, encodeBase64, utf8Decode, utf8Encode } from "./bytes.js";

const key = randomBytes(32);
const texts = ["data: {\"a\":1}\n\n", "data: {\"b\":2}\n\n", "", "data: [DONE]\n\n"];

function sealAll(k = key): SealedChunk[] {
  const s = createStreamSealer(k, "kid1");
  return texts.map((t, i) => s.seal(utf8Encode(t), i === texts.length - 1));
}

function isSealError(code: string) {
  return (err: unknown) => err instanceof SealError && err.code === code;
}

test("in-order chunks open and finish", () => {
  const chunks = sealAll();
  chunks.forEach((c, i) => {
    assert.equal(c.seq, i);
    assert.equal(c.kid, "kid1");
    SealedChunkSchema.parse(JSON.parse(JSON.stringify(c)));
  });
  const o = createStreamOpener(key);
  const out = chunks.map((c) => utf8Decode(o.open(c)));
  assert.deepEqual(out, texts);
  assert.equal(o.done, true);
  o.finish();
});

test("sealer refuses to seal after final", () => {
  const s = createStreamSealer(key, "k");
  s.seal(new Uint8Array(0), true);
  assert.throws(() => s.seal(new Uint8Array(1), false), isSealError("after_final"));
});

test("truncated stream: finish() throws", () => {
  const chunks = sealAll();
  const o = createStreamOpener(key);
  for (const c of chunks.slice(0, -1)) o.open(c);
  assert.equal(o.done, false);
  assert.throws(() => o.finish(), isSealError("truncated"));
  assert.throws(() => createStreamOpener(key).finish(), isSealError("truncated"));
});

test("reordered, skipped, replayed and duplicated chunks are rejected", () => {
  const chunks = sealAll();
  const reordered = createStreamOpener(key);
  reordered.open(chunks[0]!);
  assert.throws(() => reordered.open(chunks[2]!), isSealError("out_of_order"));
  assert.throws(() => reordered.open(chunks[1]!), SealError, "opener stays poisoned after a failure");

  const dup = createStreamOpener(key);
  dup.open(chunks[0]!);
  assert.throws(() => dup.open(chunks[0]!), isSealError("out_of_order"));

  const start = createStreamOpener(key);
  assert.throws(() => start.open(chunks[1]!), isSealError("out_of_order"));

  // Renumbering a chunk to the expected seq does not help: seq is in the nonce and AAD.
  const renumbered = createStreamOpener(key);
  renumbered.open(chunks[0]!);
  assert.throws(() => renumbered.open({ ...chunks[2]!, seq: 1 }), isSealError("auth_failed"));
});

test("chunks after final are rejected, even replayed ones", () => {
  const chunks = sealAll();
  const o = createStreamOpener(key);
  for (const c of chunks) o.open(c);
  assert.throws(() => o.open(chunks[3]!), isSealError("after_final"));
  assert.throws(() => o.open({ ...chunks[3]!, seq: 4 }), isSealError("after_final"));
});

test("tampered ciphertext, flipped final flag and wrong key are rejected", () => {
  const chunks = sealAll();
  const ct = decodeBase64(chunks[0]!.ct).slice();
  ct[0]! ^= 0x80;
  assert.throws(() => createStreamOpener(key).open({ ...chunks[0]!, ct: encodeBase64(ct) }), isSealError("auth_failed"));

  const early = createStreamOpener(key);
  early.open(chunks[0]!);
  assert.throws(() => early.open({ ...chunks[1]!, final: true }), isSealError("auth_failed"));

  const late = createStreamOpener(key);
  for (const c of chunks.slice(0, 3)) late.open(c);
  assert.throws(() => late.open({ ...chunks[3]!, final: false }), isSealError("auth_failed"));

  assert.throws(() => createStreamOpener(randomBytes(32)).open(chunks[0]!), isSealError("auth_failed"));
  assert.throws(() => createStreamOpener(key).open({ ...chunks[0]!, ct: "AAAA" }), isSealError("malformed"));
  assert.throws(() => createStreamOpener(new Uint8Array(16)), isSealError("malformed"));
});

test("large sequence numbers encode as u64", () => {
  const s = createStreamSealer(key, "k");
  const o = createStreamOpener(key);
  for (let i = 0; i < 300; i++) assert.deepEqual(o.open(s.seal(new Uint8Array([i & 0xff]), false)), new Uint8Array([i & 0xff]));
});

test("parseSealedChunk follows SealedChunkSchema exactly", () => {
  const ok = { kid: "k", seq: 3, final: false, ct: "AAAA" };
  const cases: unknown[] = [
    ok,
    { ...ok, extra: 1 },
    { ...ok, seq: 0 },
    { ...ok, seq: -0 },
    { ...ok, seq: Number.MAX_SAFE_INTEGER },
    { ...ok, seq: Number.MAX_SAFE_INTEGER + 1 },
    { ...ok, seq: -1 },
    { ...ok, seq: 1.5 },
    { ...ok, seq: "1" },
    { ...ok, seq: Number.NaN },
    { ...ok, final: 1 },
    { ...ok, kid: "" },
    { ...ok, kid: "k".repeat(64) },
    { ...ok, kid: "k".repeat(65) },
    { ...ok, kid: 5 },
    { ...ok, ct: "AAA" },
    { ...ok, ct: "" },
    { ...ok, ct: "AA==" },
    { ...ok, ct: "A===" },
    { ...ok, ct: 7 },
    { kid: "k", seq: 1, final: true },
    null,
    [],
    [ok],
    "x",
    42,
  ];
  for (const c of cases) {
    const r = SealedChunkSchema.safeParse(c);
    assert.deepEqual(parseSealedChunk(c), r.success ? r.data : undefined, JSON.stringify(c));
  }
});
