import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ResponseHasher,
  createStreamOpener,
  encodeBase64,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  receiptMismatches,
  ResponseTextMeter,
  SignedReceiptSchema,
  utf8Decode,
  verifyReceipt,
  type IdentityKeyPair,
  sealRequest,
  type EncryptionKeyPair,
  type InferenceRequestFrame,
  type ProviderFrame,
} from "@darkbloom/protocol";
import { ensureTestModel } from "@darkbloom/testkit";
import { loadEngine } from "../cli/load-engine.js";
import type { HostedEngine } from "./types.js";
import { handleInferenceRequest } from "./handle-request.js";
import { ReplayGuard } from "./replay-guard.js";

let engine: HostedEngine;
let keyPair: EncryptionKeyPair;
let identity: IdentityKeyPair;
const noLog = () => {};
const replay = new ReplayGuard();

before(async () => {
  engine = await loadEngine({ modelPath: await ensureTestModel({ preset: "tiny" }), modelId: "tiny", parallel: 2 }, noLog);
  keyPair = await generateEncryptionKeyPair();
  identity = await generateIdentityKeyPair();
});
after(() => engine.close());

async function serve(
  body: unknown,
  meta: Partial<InferenceRequestFrame> = {},
  signal = new AbortController().signal,
  onFrame: (f: ProviderFrame) => void = () => {},
) {
  const { envelope, responseKeys } = await sealRequest(new TextEncoder().encode(JSON.stringify(body)), [keyPair]);
  const frame: InferenceRequestFrame = {
    type: "inference_request",
    request_id: "req_1",
    api: "chat.completions",
    model: "tiny",
    stream: (body as { stream?: boolean }).stream === true,
    max_tokens: 64,
    input_tokens_estimate: 10,
    sealed: envelope,
    ...meta,
  };
  const frames: ProviderFrame[] = [];
  const send = (f: ProviderFrame) => {
    frames.push(f);
    onFrame(f);
  };
  await handleInferenceRequest({ engines: new Map([["tiny", engine]]), keyPair, identitySecret: identity.secretKey, replay, send, log: noLog }, frame, signal);
  const opener = createStreamOpener(responseKeys.get(keyPair.kid)!);
  const text = frames
    .filter((f) => f.type === "inference_chunk")
    .map((f) => new TextDecoder().decode(opener.open(f.chunk)))
    .join("");
  return { frames, text, opener, responseKey: responseKeys.get(keyPair.kid)! };
}

test("streams sealed OpenAI SSE and reports exact usage", async () => {
  const { frames, text, opener, responseKey } = await serve({
    model: "tiny",
    messages: [{ role: "user", content: "hi" }],
    max_tokens: 5,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.doesNotThrow(() => opener.finish());
  assert.equal(frames[0]?.type, "inference_accepted");
  const last = frames.at(-1);
  assert.equal(last?.type, "inference_complete");
  assert.equal(last?.type === "inference_complete" && last.usage.completion_tokens, 5);
  assert.ok(text.startsWith('data: {"id":"chatcmpl-'));
  assert.ok(text.endsWith("data: [DONE]\n\n"));
  assert.match(text, /"usage":\{"prompt_tokens":\d+,"completion_tokens":5,/);
  // The role-only preamble travels with the first content: the first sealed chunk carries a token.
  const first = frames.find((f) => f.type === "inference_chunk");
  assert.ok(first?.type === "inference_chunk");
  const firstText = new TextDecoder().decode(createStreamOpener(responseKey).open(first.chunk));
  assert.match(firstText, /^data: \{.*"delta":\{"role":"assistant","content":""\}/);
  assert.ok(firstText.split("data: ").length > 2, "the preamble is not sent alone");
});

test("ends with a signed receipt: in clear and sealed, over the chunks sent, within the text bounds", async () => {
  for (const stream of [true, false]) {
    const body = { model: "tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 6, stream };
    const { frames, opener, text } = await serve(body);
    const last = frames.at(-1);
    assert.ok(last?.type === "inference_complete" && last.receipt && last.sealed_receipt);
    const hasher = new ResponseHasher();
    const meter = new ResponseTextMeter("chat.completions", stream);
    for (const f of frames) if (f.type === "inference_chunk") hasher.add(f.chunk);
    meter.push(new TextEncoder().encode(text));
    const r = last.receipt;
    assert.equal(verifyReceipt(r, encodeBase64(identity.publicKey)), true);
    assert.deepEqual([r.request_id, r.model, r.prompt_tokens, r.completion_tokens], ["req_1", "tiny", last.usage.prompt_tokens, last.usage.completion_tokens]);
    assert.equal(r.response_hash, hasher.digest());
    assert.deepEqual(SignedReceiptSchema.parse(JSON.parse(utf8Decode(opener.openReceipt(last.sealed_receipt)))), r);
    const { textBytes } = meter.finish();
    const requestBytes = JSON.stringify(body).length;
    assert.deepEqual(receiptMismatches(r, { responseHash: hasher.digest(), model: "tiny", requestBytes, textBytes }), []);
  }
});

test("never generates past the clear max_tokens the coordinator reserved for", async () => {
  const { frames, text } = await serve({ model: "tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 50 }, { max_tokens: 3 });
  const body = JSON.parse(text) as { usage: { completion_tokens: number } };
  assert.equal(body.usage.completion_tokens, 3);
  assert.equal(frames.at(-1)?.type, "inference_complete");
});

test("rejects metadata that disagrees with the sealed body, and bad bodies", async () => {
  const mismatch = await serve({ model: "tiny", messages: [{ role: "user", content: "x" }] }, { stream: true });
  assert.deepEqual(
    mismatch.frames.map((f) => f.type === "inference_error" && f.code).filter(Boolean),
    ["bad_request"],
  );
  const bad = await serve({ model: "tiny", messages: [] });
  const badLast = bad.frames.at(-1);
  assert.equal(badLast?.type === "inference_error" && badLast.code, "bad_request");
  const tooLong = await serve({ model: "tiny", messages: [{ role: "user", content: "x" }], max_tokens: 100_000 }, { max_tokens: 100_000 });
  const err = tooLong.frames.at(-1);
  assert.equal(err?.type === "inference_error" && err.code, "bad_request");
});

test("a request sealed to another key fails as decrypt_failed", async () => {
  const other = await generateEncryptionKeyPair();
  const { envelope } = await sealRequest(new TextEncoder().encode("{}"), [other]);
  const frames: ProviderFrame[] = [];
  const frame: InferenceRequestFrame = {
    type: "inference_request", request_id: "r", api: "chat.completions", model: "tiny", stream: false,
    max_tokens: 4, input_tokens_estimate: 1, sealed: envelope,
  };
  await handleInferenceRequest({ engines: new Map([["tiny", engine]]), keyPair, identitySecret: identity.secretKey, replay, send: (f) => frames.push(f), log: noLog }, frame, new AbortController().signal);
  const last = frames.at(-1);
  assert.equal(last?.type === "inference_error" && last.code, "decrypt_failed");
});

test("cancel stops generation and reports usage of what was generated", async () => {
  const ctl = new AbortController();
  // Event-driven: cancel once the third chunk is out, as a consumer leaving mid-stream would.
  let chunks = 0;
  const onFrame = (f: ProviderFrame) => {
    if (f.type === "inference_chunk" && ++chunks === 3) ctl.abort();
  };
  const { frames } = await serve({ model: "tiny", messages: [{ role: "user", content: "go" }], max_tokens: 1500, stream: true }, { max_tokens: 1500 }, ctl.signal, onFrame);
  const last = frames.at(-1);
  assert.equal(last?.type, "inference_complete");
  assert.equal(last?.type === "inference_complete" && last.finish_reason, "abort");
  assert.ok(last?.type === "inference_complete" && last.usage.completion_tokens < 1500);
});

test("chunk frames carry a running completion-token count that ends at the reported usage", async () => {
  const { frames } = await serve({ model: "tiny", messages: [{ role: "user", content: "count" }], max_tokens: 9, stream: true });
  const counts = frames.flatMap((f) => (f.type === "inference_chunk" ? [f.tokens] : []));
  assert.ok(counts.length >= 2);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! >= counts[i - 1]!, `non-decreasing: ${counts.join(",")}`);
  const last = frames.at(-1);
  assert.ok(last?.type === "inference_complete");
  assert.equal(counts.at(-1), last.usage.completion_tokens);
  assert.ok(counts[0]! >= 1, "the first chunk already carries a token");
});

test("a replayed envelope is refused, and a stale one too", async () => {
  const body = { model: "tiny", messages: [{ role: "user", content: "once" }], max_tokens: 2 };
  const { envelope } = await sealRequest(new TextEncoder().encode(JSON.stringify(body)), [keyPair]);
  const frame: InferenceRequestFrame = {
    type: "inference_request", request_id: "r1", api: "chat.completions", model: "tiny", stream: false,
    max_tokens: 2, input_tokens_estimate: 1, sealed: envelope,
  };
  const run = async (f: InferenceRequestFrame) => {
    const out: ProviderFrame[] = [];
    await handleInferenceRequest({ engines: new Map([["tiny", engine]]), keyPair, identitySecret: identity.secretKey, replay, send: (x) => out.push(x), log: noLog }, f, new AbortController().signal);
    return out.at(-1);
  };
  assert.equal((await run(frame))?.type, "inference_complete");
  const again = await run({ ...frame, request_id: "r2" });
  assert.ok(again?.type === "inference_error");
  assert.equal(again.code, "bad_request");
  assert.match(again.message, /replay/);

  const old = await sealRequest(new TextEncoder().encode(JSON.stringify(body)), [keyPair], undefined, Date.now() - 60 * 60_000);
  const stale = await run({ ...frame, request_id: "r3", sealed: old.envelope });
  assert.ok(stale?.type === "inference_error");
  assert.match(stale.message, /validity window/);
  // Moving iat without the key is detected: the key wrap authenticates it.
  const moved = await run({ ...frame, request_id: "r4", sealed: { ...old.envelope, iat: Date.now() } });
  assert.ok(moved?.type === "inference_error");
  assert.equal(moved.code, "decrypt_failed");
});

test("two providers answering the same envelope (a replay elsewhere) share no keystream", async () => {
  // Replay protection is per process; a replay to a restarted provider or a second guard must
  // still not reuse the response keystream: each response is keyed with fresh provider salt.
  const body = { model: "tiny", messages: [{ role: "user", content: "same" }], max_tokens: 6, seed: 7, temperature: 0 };
  const { envelope, responseKeys } = await sealRequest(new TextEncoder().encode(JSON.stringify(body)), [keyPair]);
  const frame: InferenceRequestFrame = {
    type: "inference_request", request_id: "k", api: "chat.completions", model: "tiny", stream: false,
    max_tokens: 6, input_tokens_estimate: 1, sealed: envelope,
  };
  const answer = async () => {
    const out: ProviderFrame[] = [];
    await handleInferenceRequest(
      { engines: new Map([["tiny", engine]]), keyPair, identitySecret: identity.secretKey, replay: new ReplayGuard(), send: (x) => out.push(x), log: noLog },
      frame,
      new AbortController().signal,
    );
    const chunk = out.find((f) => f.type === "inference_chunk");
    assert.ok(chunk?.type === "inference_chunk");
    return chunk.chunk;
  };
  const a = await answer();
  const b = await answer();
  assert.notEqual(a.salt, b.salt);
  const ka = Buffer.from(a.ct, "base64");
  const kb = Buffer.from(b.ct, "base64");
  // Same plaintext bytes under one keystream would make ct_a XOR ct_b all zero over the body.
  const n = Math.min(ka.length, kb.length) - 16;
  let equal = 0;
  for (let i = 0; i < n; i++) if (ka[i] === kb[i]) equal++;
  assert.ok(equal < n / 8, `ciphertexts look keystream-correlated (${equal}/${n} equal bytes)`);
  // Both open with the consumer's secret.
  const secret = responseKeys.get(keyPair.kid)!;
  assert.ok(createStreamOpener(secret).open(a).length > 0);
  assert.ok(createStreamOpener(secret).open(b).length > 0);
});
