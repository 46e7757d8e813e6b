import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createStreamOpener,
  generateEncryptionKeyPair,
  sealRequest,
  type EncryptionKeyPair,
  type InferenceRequestFrame,
  type ProviderFrame,
} from "@darkbloom/protocol";
import { ensureTestModel } from "@darkbloom/testkit";
import { loadEngine } from "../cli/load-engine.js";
import type { HostedEngine } from "./types.js";
import { handleInferenceRequest } from "./handle-request.js";

let engine: HostedEngine;
let keyPair: EncryptionKeyPair;
const noLog = () => {};

before(async () => {
  engine = await loadEngine({ modelPath: await ensureTestModel({ preset: "tiny" }), modelId: "tiny", parallel: 2 }, noLog);
  keyPair = await generateEncryptionKeyPair();
});
after(() => engine.close());

async function serve(body: unknown, meta: Partial<InferenceRequestFrame> = {}, signal = new AbortController().signal) {
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
  await handleInferenceRequest({ engines: new Map([["tiny", engine]]), keyPair, send: (f) => frames.push(f), log: noLog }, frame, signal);
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
  await handleInferenceRequest({ engines: new Map([["tiny", engine]]), keyPair, send: (f) => frames.push(f), log: noLog }, frame, new AbortController().signal);
  const last = frames.at(-1);
  assert.equal(last?.type === "inference_error" && last.code, "decrypt_failed");
});

test("cancel stops generation and reports usage of what was generated", async () => {
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 100);
  const { frames } = await serve({ model: "tiny", messages: [{ role: "user", content: "go" }], max_tokens: 1500, stream: true }, { max_tokens: 1500 }, ctl.signal);
  const last = frames.at(-1);
  assert.equal(last?.type, "inference_complete");
  assert.equal(last?.type === "inference_complete" && last.finish_reason, "abort");
  assert.ok(last?.type === "inference_complete" && last.usage.completion_tokens < 1500);
});
