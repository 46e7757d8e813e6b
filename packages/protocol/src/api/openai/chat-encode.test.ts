import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatStreamEncoder, chatCompletionBody, chatUsage } from "./chat-encode.js";

const meta = { id: "chatcmpl-1", model: "m", created: 1700000000 };

// The shape OpenAI's API streams (recorded), with our id/model/created.
const RECORDED_STREAM =
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n' +
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{"content":"Hi \\"there\\"\\n"},"logprobs":null,"finish_reason":null}]}\n\n' +
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]}\n\n' +
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","system_fingerprint":null,"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n' +
  "data: [DONE]\n\n";

test("stream encoder matches the recorded OpenAI stream byte for byte", () => {
  const enc = new ChatStreamEncoder({ ...meta, includeUsage: true });
  const out = enc.start() + enc.delta('Hi "there"\n') + enc.finish("length", chatUsage(3, 2));
  assert.equal(out, RECORDED_STREAM);
});

test("usage chunk only when asked for; abort maps to stop", () => {
  const enc = new ChatStreamEncoder({ ...meta, includeUsage: false });
  const tail = enc.finish("abort", chatUsage(1, 1));
  assert.ok(!tail.includes('"usage"'));
  assert.ok(tail.includes('"finish_reason":"stop"'));
  assert.ok(tail.endsWith("data: [DONE]\n\n"));
});

test("every event is a valid JSON data line", () => {
  const enc = new ChatStreamEncoder({ ...meta, includeUsage: true });
  const text = enc.start() + enc.delta("\u2028\u{1F600}") + enc.finish("stop", chatUsage(1, 2));
  for (const ev of text.split("\n\n").filter(Boolean)) {
    assert.ok(ev.startsWith("data: "));
    const data = ev.slice(6);
    if (data !== "[DONE]") assert.doesNotThrow(() => JSON.parse(data));
  }
});

test("non-streaming body has OpenAI's chat.completion shape", () => {
  const body = JSON.parse(chatCompletionBody(meta, "hello", "stop", chatUsage(4, 1)));
  assert.deepEqual(body, {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1700000000,
    model: "m",
    system_fingerprint: null,
    choices: [{ index: 0, message: { role: "assistant", content: "hello", refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
  });
});
