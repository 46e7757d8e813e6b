import assert from "node:assert/strict";
import { test } from "node:test";
import { CHAT_LIMITS, ChatCompletionRequestSchema, parseChatRequest } from "./chat-request.js";
import { ChatRequestError, MAX_ERROR_PARAM_LENGTH } from "./chat-request-error.js";
import { ACCEPTED_PARAMS, UNSUPPORTED_PARAMS } from "./chat-support.js";

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

function refusal(body: unknown): ChatRequestError {
  try {
    parseChatRequest(body);
  } catch (err) {
    assert.ok(err instanceof ChatRequestError, `not a ChatRequestError: ${String(err)}`);
    return err;
  }
  assert.fail(`accepted: ${JSON.stringify(body)}`);
}

test("features we cannot honour are refused with 400 naming the parameter, never silently dropped", () => {
  const tool = { type: "function", function: { name: "get_weather", parameters: { type: "object" } } };
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ functions: [tool.function] }, "functions", /use tools and tool_choice/],
    [{ function_call: { name: "get_weather" } }, "function_call", /use tools and tool_choice/],
    [{ n: 2 }, "n", /n > 1/],
    [{ logprobs: true }, "logprobs", /not supported/],
    [{ top_logprobs: 3 }, "top_logprobs", /not supported/],
    [{ logit_bias: { "50256": -100 } }, "logit_bias", /not supported/],
    [{ frequency_penalty: 0.5 }, "frequency_penalty", /not supported/],
    [{ presence_penalty: -1 }, "presence_penalty", /not supported/],
    [{ modalities: ["text", "audio"] }, "modalities", /text output/],
    [{ audio: { voice: "alloy", format: "wav" } }, "audio", /not supported/],
    [{ prediction: { type: "content", content: "x" } }, "prediction", /not supported/],
    [{ reasoning_effort: "high" }, "reasoning_effort", /not supported/],
    [{ verbosity: "low" }, "verbosity", /not supported/],
    [{ web_search_options: {} }, "web_search_options", /not supported/],
    [{ store: true }, "store", /does not keep completions/],
    [{ service_tier: "priority" }, "service_tier", /not supported/],
  ];
  for (const [extra, param, message] of cases) {
    const err = refusal({ ...base, ...extra });
    assert.equal(err.param, param, JSON.stringify(extra));
    assert.match(err.message, message, JSON.stringify(extra));
  }
});

test("their no-op values are accepted", () => {
  const p = parseChatRequest({
    ...base,
    response_format: { type: "text" },
    tools: [],
    tool_choice: "none",
    functions: [],
    function_call: "auto",
    parallel_tool_calls: false,
    n: 1,
    logprobs: false,
    top_logprobs: 0,
    logit_bias: {},
    frequency_penalty: 0,
    presence_penalty: 0,
    modalities: ["text"],
    audio: null,
    store: false,
    service_tier: "auto",
    user: "u-1",
    safety_identifier: "s",
    prompt_cache_key: "k",
    metadata: { team: "a" },
    stream_options: null,
  });
  assert.deepEqual(p.messages, [{ role: "user", content: "hi" }]);
});

test("function messages, names and non-text content parts are refused, naming where", () => {
  const cases: [unknown[], string, RegExp][] = [
    [[{ role: "function", name: "f", content: "42" }], "messages.0.role", /function messages/],
    [[{ role: "user", name: "ann", content: "q" }], "messages.0.name", /names are not passed to the model/],
    [
      [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }],
      "messages.0.content.1",
      /images are not supported/,
    ],
    [[{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] }], "messages.0.content.0", /audio input/],
    [[{ role: "user", content: [{ type: "file", file: { file_id: "f" } }] }], "messages.0.content.0", /file inputs/],
    [[{ role: "user", content: [{ type: "video" }] }], "messages.0.content.0", /only text content parts/],
  ];
  for (const [messages, param, message] of cases) {
    const err = refusal({ ...base, messages });
    assert.equal(err.param, param, JSON.stringify(messages));
    assert.match(err.message, message, JSON.stringify(messages));
  }
});

test("unknown message fields and content-part fields are ignored", () => {
  const p = parseChatRequest({
    ...base,
    messages: [{ role: "user", content: [{ type: "text", text: "a", cache_control: {} }], extra: 1 }],
  });
  assert.deepEqual(p.messages, [{ role: "user", content: "a" }]);
});

test("an assistant message echoed back from a response (refusal: null) is accepted", () => {
  const p = parseChatRequest({
    ...base,
    messages: [
      { role: "user", content: "q" },
      { role: "assistant", content: "a", refusal: null, tool_calls: [] },
      { role: "user", content: "q2" },
    ],
  });
  assert.equal(p.messages[1]?.content, "a");
});

test("unknown parameters are ignored as OpenAI ignores them; known unsupported ones still refused", () => {
  const p = parseChatRequest({ ...base, top_k: 40, ["x".repeat(500) + '"\n<b>']: 1, stream_options: { include_usage: true, flush: true } });
  assert.deepEqual(p.messages, [{ role: "user", content: "hi" }]);
  assert.equal(refusal({ ...base, top_k: 40, logprobs: true }).param, "logprobs");
});

test("a refused parameter's name is bounded and printable", () => {
  const odd = refusal({ ...base, metadata: { ["x".repeat(500) + '"\n<b>']: 1 } });
  assert.ok(odd.param !== null && odd.param.length <= MAX_ERROR_PARAM_LENGTH);
  assert.match(odd.param, /^[\w.?-]+$/);
  assert.ok(!odd.message.includes("<b>"));
});

test("every parameter the schema takes is either accepted or listed as unsupported", () => {
  const schemaKeys = Object.keys(ChatCompletionRequestSchema.shape).sort();
  const listed = [...ACCEPTED_PARAMS, ...Object.keys(UNSUPPORTED_PARAMS)].sort();
  assert.deepEqual(schemaKeys, listed);
});
