import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createStreamOpener,
  generateEncryptionKeyPair,
  sealRequest,
  type ApiKind,
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
const replay = new ReplayGuard();

before(async () => {
  engine = await loadEngine({ modelPath: await ensureTestModel({ preset: "tiny" }), modelId: "tiny", parallel: 2 }, () => {});
  keyPair = await generateEncryptionKeyPair();
});
after(() => engine.close());

/** Serves `body` as a request of `api`; returns the frames and the decrypted response text. */
async function serve(api: ApiKind, body: Record<string, unknown>, maxTokens = 64) {
  const { envelope, responseKeys } = await sealRequest(new TextEncoder().encode(JSON.stringify(body)), [keyPair]);
  const frame: InferenceRequestFrame = {
    type: "inference_request",
    request_id: "req_1",
    api,
    model: "tiny",
    stream: body.stream === true,
    max_tokens: maxTokens,
    input_tokens_estimate: 10,
    sealed: envelope,
  };
  const frames: ProviderFrame[] = [];
  await handleInferenceRequest({ engines: new Map([["tiny", engine]]), keyPair, identitySecret: new Uint8Array(32).fill(1), replay, send: (f) => frames.push(f), log: () => {} }, frame, new AbortController().signal);
  const opener = createStreamOpener(responseKeys.get(keyPair.kid)!);
  const chunks = frames.filter((f) => f.type === "inference_chunk");
  const text = chunks.map((f) => new TextDecoder().decode(opener.open(f.chunk))).join("");
  if (chunks.length > 0) opener.finish();
  const last = frames.at(-1);
  return { frames, text, last, chunks };
}

const user = [{ role: "user", content: "hi" }];

test("completions: a raw prompt, streamed as text_completion chunks with exact usage", async () => {
  const { text, last, chunks } = await serve("completions", { model: "tiny", prompt: "Once upon", max_tokens: 5, stream: true, stream_options: { include_usage: true } });
  assert.equal(last?.type, "inference_complete");
  assert.ok(last?.type === "inference_complete");
  assert.equal(last.usage.completion_tokens, 5);
  assert.match(text, /^data: \{"id":"cmpl-[0-9a-f]+","object":"text_completion"/);
  assert.ok(text.includes(`"usage":{"prompt_tokens":${last.usage.prompt_tokens},"completion_tokens":5,`));
  assert.ok(text.endsWith("data: [DONE]\n\n"));
  // The prompt is the raw text: no chat template around it.
  assert.equal(last.usage.prompt_tokens, engine.promptTokens({ prompt: "Once upon" }));
  assert.notEqual(last.usage.prompt_tokens, engine.promptTokens({ messages: [{ role: "user", content: "Once upon" }] }));
  const final = chunks.at(-1);
  assert.ok(final?.type === "inference_chunk" && final.tokens === 5);
});

test("responses: non-streaming response object with usage; instructions count as prompt", async () => {
  const { text, last } = await serve("responses", { model: "tiny", input: "hi", instructions: "Be brief.", max_output_tokens: 4 });
  assert.ok(last?.type === "inference_complete");
  const body = JSON.parse(text) as { object: string; status: string; usage: { input_tokens: number; output_tokens: number; total_tokens: number }; output: { content: { text: string }[] }[] };
  assert.equal(body.object, "response");
  assert.equal(body.usage.output_tokens, 4);
  assert.equal(body.usage.input_tokens, last.usage.prompt_tokens);
  assert.equal(body.usage.input_tokens, engine.promptTokens({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }] }));
  assert.equal(body.status, last.finish_reason === "length" ? "incomplete" : "completed");
});

test("messages: Anthropic stream events with input tokens up front and output tokens at the end", async () => {
  const { text, last } = await serve("messages", { model: "tiny", messages: user, max_tokens: 6, stream: true, top_k: 5 });
  assert.ok(last?.type === "inference_complete");
  const events = text.trimEnd().split("\n\n").map((e) => e.split("\n")[0]);
  assert.deepEqual(events.slice(0, 3), ["event: message_start", "event: content_block_start", "event: ping"]);
  assert.deepEqual(events.slice(-3), ["event: content_block_stop", "event: message_delta", "event: message_stop"]);
  assert.ok(text.includes(`"usage":{"input_tokens":${last.usage.prompt_tokens},"output_tokens":0}`));
  assert.ok(text.includes(`"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":6}`));
});

test("count_tokens: the exact prompt length of the same messages, nothing generated or billed", async () => {
  const system = "You are terse.";
  const counted = await serve("messages.count_tokens", { model: "tiny", system, messages: user }, 1);
  assert.ok(counted.last?.type === "inference_complete");
  assert.deepEqual(counted.last.usage, { prompt_tokens: 0, completion_tokens: 0 });
  const { input_tokens } = JSON.parse(counted.text) as { input_tokens: number };
  const generated = await serve("messages", { model: "tiny", system, messages: user, max_tokens: 1 });
  assert.ok(generated.last?.type === "inference_complete");
  assert.equal(input_tokens, generated.last.usage.prompt_tokens);
});

test("a body that is not of the frame's family is refused naming the field", async () => {
  const { last } = await serve("messages", { model: "tiny", messages: user });
  assert.ok(last?.type === "inference_error");
  assert.equal(last.code, "bad_request");
  assert.equal(last.param, "max_tokens");
});
