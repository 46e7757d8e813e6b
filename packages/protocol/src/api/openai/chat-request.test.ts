import assert from "node:assert/strict";
import { test } from "node:test";
import { CHAT_LIMITS, ChatRequestError, parseChatRequest } from "./chat-request.js";

const base = { model: "m", messages: [{ role: "user", content: "hi" }] };

test("defaults: non-streaming, default max_tokens, no stop", () => {
  const p = parseChatRequest(base);
  assert.equal(p.stream, false);
  assert.equal(p.includeUsage, false);
  assert.equal(p.maxTokens, CHAT_LIMITS.defaultMaxTokens);
  assert.deepEqual(p.stop, []);
  assert.equal(p.temperature, undefined);
});

test("max_completion_tokens takes precedence over max_tokens; 0 temperature is kept", () => {
  const p = parseChatRequest({ ...base, max_tokens: 10, max_completion_tokens: 5, temperature: 0, top_p: 0.5, seed: 0 });
  assert.equal(p.maxTokens, 5);
  assert.equal(p.temperature, 0);
  assert.equal(p.topP, 0.5);
  assert.equal(p.seed, 0);
});

test("stream options, stop forms, content parts and roles are normalized", () => {
  const p = parseChatRequest({
    ...base,
    messages: [
      { role: "developer", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      { role: "user", content: "q" },
    ],
    stream: true,
    stream_options: { include_usage: true },
    stop: "END",
  });
  assert.equal(p.includeUsage, true);
  assert.deepEqual(p.stop, ["END"]);
  assert.deepEqual(p.messages, [
    { role: "system", content: "ab" },
    { role: "user", content: "q" },
  ]);
});

test("n > 1, bad fields and missing messages are rejected with the parameter named", () => {
  const cases: [unknown, string | null][] = [
    [{ ...base, n: 2 }, "n"],
    [{ ...base, temperature: 3 }, "temperature"],
    [{ ...base, max_tokens: 0 }, "max_tokens"],
    [{ ...base, stop: ["a", "b", "c", "d", "e"] }, "stop"],
    [{ model: "m" }, "messages"],
    [{ ...base, messages: [] }, "messages"],
    ["not an object", null],
  ];
  for (const [body, param] of cases) {
    assert.throws(() => parseChatRequest(body), (e: unknown) => e instanceof ChatRequestError && e.param === param);
  }
});

test("unknown fields sent by clients are tolerated", () => {
  assert.doesNotThrow(() => parseChatRequest({ ...base, logit_bias: {}, metadata: { a: 1 }, n: 1 }));
});
