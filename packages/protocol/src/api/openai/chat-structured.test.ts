import assert from "node:assert/strict";
import { test } from "node:test";
import { parseChatRequest } from "./chat-request.js";
import { ChatRequestError } from "./chat-request-error.js";
import { toolCallSchema } from "./chat-structured.js";

const base = { model: "m", messages: [{ role: "user", content: "hi" }] };
const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string", maxLength: 12 } }, required: ["city"], additionalProperties: false },
    strict: true,
  },
};

function refusal(body: unknown): ChatRequestError {
  try {
    parseChatRequest(body);
  } catch (err) {
    assert.ok(err instanceof ChatRequestError, `not a ChatRequestError: ${String(err)}`);
    return err;
  }
  assert.fail(`accepted: ${JSON.stringify(body)}`);
}

test("response_format json_object and json_schema become grammar constraints", () => {
  assert.deepEqual(parseChatRequest({ ...base, response_format: { type: "json_object" } }).responseFormat, { type: "json_object" });
  const p = parseChatRequest({
    ...base,
    response_format: { type: "json_schema", json_schema: { name: "ok", strict: true, schema: weather.function.parameters } },
  });
  assert.deepEqual(p.responseFormat, {
    type: "json_schema",
    name: "ok",
    schema: { type: "object", properties: { city: { type: "string", maxLength: 12 } } },
  });
  assert.equal(parseChatRequest({ ...base, response_format: { type: "text" } }).responseFormat, undefined);
});

test("a bad json_schema is a 400 naming the keyword inside the schema", () => {
  const cases: [unknown, string][] = [
    [{ type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { n: { type: "number", maximum: 3 } } } } }, "response_format.json_schema.schema.properties.n.maximum"],
    [{ type: "json_schema", json_schema: { name: "x", strict: true, schema: { type: "object", properties: {} } } }, "response_format.json_schema.schema.additionalProperties"],
    [{ type: "json_schema", json_schema: { name: "x" } }, "response_format.json_schema.schema"],
    [{ type: "json_schema", json_schema: { name: "bad name!", schema: {} } }, "response_format.json_schema.name"],
    [{ type: "xml" }, "response_format.type"],
  ];
  for (const [rf, param] of cases) assert.equal(refusal({ ...base, response_format: rf }).param, param, JSON.stringify(rf));
});

test("tools and tool_choice are normalized; auto is the default with tools", () => {
  const p = parseChatRequest({ ...base, tools: [weather] });
  assert.equal(p.toolChoice, "auto");
  assert.equal(p.tools[0]?.name, "get_weather");
  assert.deepEqual(p.tools[0]?.definition, { type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: weather.function.parameters } });
  assert.equal(p.parallelToolCalls, true);
  assert.deepEqual(parseChatRequest({ ...base, tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } } }).toolChoice, { name: "get_weather" });
  assert.equal(parseChatRequest(base).toolChoice, "none");
  assert.deepEqual(parseChatRequest(base).tools, []);
});

test("tool errors name their parameter", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ tool_choice: "required" }, "tool_choice"],
    [{ tools: [weather], tool_choice: { type: "function", function: { name: "nope" } } }, "tool_choice.function.name"],
    [{ tools: [weather, weather] }, "tools.1.function.name"],
    [{ tools: [{ type: "custom", custom: { name: "x" } }] }, "tools.0.type"],
    [{ tools: [{ ...weather, function: { ...weather.function, parameters: { type: "string" }, strict: false } }] }, "tools.0.function.parameters"],
    [{ tools: [weather], response_format: { type: "json_object" } }, "response_format"],
  ];
  for (const [extra, param] of cases) assert.equal(refusal({ ...base, ...extra }).param, param, JSON.stringify(extra));
});

test("assistant tool calls and tool results in the history are accepted and must pair up", () => {
  const call = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } };
  const p = parseChatRequest({
    ...base,
    tools: [weather],
    messages: [
      { role: "user", content: "weather?" },
      { role: "assistant", content: null, tool_calls: [call] },
      { role: "tool", tool_call_id: "call_1", content: "sunny" },
    ],
  });
  assert.deepEqual(p.messages.slice(1), [
    { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' }] },
    { role: "tool", content: "sunny", toolCallId: "call_1" },
  ]);
  const orphan = refusal({ ...base, messages: [{ role: "user", content: "q" }, { role: "tool", tool_call_id: "call_9", content: "x" }] });
  assert.equal(orphan.param, "messages.1.tool_call_id");
  const noId = refusal({ ...base, messages: [{ role: "tool", content: "x" }] });
  assert.equal(noId.param, "messages.0.tool_call_id");
});

test("the call schema pins the function name and constrains the arguments", () => {
  const p = parseChatRequest({ ...base, tools: [weather, { type: "function", function: { name: "noop" } }] });
  assert.deepEqual(toolCallSchema(p.tools, { name: "noop" }), {
    type: "object",
    properties: { name: { const: "noop" }, arguments: { type: "object", properties: {} } },
  });
  const any = toolCallSchema(p.tools, "required");
  assert.equal((any["oneOf"] as unknown[]).length, 2);
});
