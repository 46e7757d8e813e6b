// Grammar-constrained generation on random-weight test models: JSON output that parses and
// validates, tool calls, and a constrained sequence batched with a free one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { ensureTestModel } from "@darkbloom/testkit";
import { toGrammarSchema } from "@darkbloom/protocol";
import { tightenJsonGrammar } from "./grammar.js";
import { EngineError, JSON_OBJECT_SCHEMA, createEngine, type Engine, type Generation, type GenerationResult } from "./index.js";

async function collect(g: Generation): Promise<{ text: string; toolText: string; result: GenerationResult }> {
  let text = "";
  let toolText = "";
  for await (const d of g) {
    if (d.toolCall) toolText += d.text;
    else text += d.text;
  }
  return { text, toolText, result: await g.result };
}

const user = [{ role: "user" as const, content: "Describe a person." }];
/** Every value bounded, so a random model's output fits in max_tokens. */
const PERSON = {
  type: "object",
  properties: {
    name: { type: "string", maxLength: 6 },
    age: { type: "integer" },
    member: { type: "boolean" },
    colour: { enum: ["red", "green", "blue"] },
    tags: { type: "array", items: { type: "string", maxLength: 3 }, maxItems: 2 },
    pet: { anyOf: [{ type: "null" }, { type: "object", properties: { kind: { const: "cat" } }, required: ["kind"], additionalProperties: false }] },
  },
  required: ["name", "age", "member", "colour", "tags", "pet"],
  additionalProperties: false,
};
const WEATHER = {
  type: "object",
  properties: { city: { type: "string", maxLength: 12 }, unit: { enum: ["c", "f"] } },
  required: ["city", "unit"],
  additionalProperties: false,
};
const callSchema = { type: "object", properties: { name: { const: "get_weather" }, arguments: toGrammarSchema(WEATHER, { strict: true }) } };
const tools = { definitions: [{ type: "function", function: { name: "get_weather", parameters: WEATHER } }], callSchema };

test("the generated JSON grammar ends at the value and keeps integers integral", () => {
  const g = 'root ::= "{" x "}" "\\n\\n\\n\\n" [\\n]*\ninteger-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?';
  assert.equal(tightenJsonGrammar(g), 'root ::= "{" x "}"\ninteger-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ([eE] [+]? ("0" | [1-9] [0-9]{0,15}))?');
});

describe("constrained generation (tiny model, random weights)", () => {
  let engine: Engine;
  const validate = new Ajv({ strict: false }).compile(PERSON);

  before(async () => {
    engine = await createEngine({ modelPath: await ensureTestModel({ preset: "tiny" }), modelId: "tiny", parallel: 2, contextSize: 1024 });
  });
  after(async () => {
    await engine?.close();
  });

  test("json_schema output parses and validates, for several seeds", async () => {
    for (const seed of [1, 2, 3]) {
      const { text, result } = await collect(
        engine.generate({ messages: user, maxTokens: 200, seed, json: toGrammarSchema(PERSON, { strict: true }) }),
      );
      assert.equal(result.finishReason, "stop", `seed ${seed}: ${text}`);
      const value: unknown = JSON.parse(text);
      assert.ok(validate(value), `seed ${seed}: ${JSON.stringify(validate.errors)} in ${text}`);
    }
  });

  test("a constrained and a free sequence batched together: both complete, the free one is unconstrained", async () => {
    const json = engine.generate({ messages: user, maxTokens: 200, seed: 5, json: toGrammarSchema(PERSON, { strict: true }) });
    const free = engine.generate({ messages: user, maxTokens: 30, seed: 5 });
    const [a, b] = await Promise.all([collect(json), collect(free)]);
    assert.ok(validate(JSON.parse(a.text)), a.text);
    assert.equal(b.result.finishReason, "length");
    assert.equal(b.result.usage.completionTokens, 30);
    assert.ok(!b.text.trimStart().startsWith("{"), "the free sequence got the other's grammar");
  });

  test("a truncated JSON answer ends with finish reason length", async () => {
    const { result } = await collect(engine.generate({ messages: user, maxTokens: 3, seed: 1, json: toGrammarSchema(PERSON, { strict: true }) }));
    assert.equal(result.finishReason, "length");
  });

  test("tools on a model whose template cannot render them are refused", () => {
    assert.equal(engine.toolSupport, undefined);
    assert.throws(
      () => engine.generate({ messages: user, maxTokens: 5, tools: { ...tools, mode: "required" } }),
      (e: unknown) => e instanceof EngineError && e.code === "tools_unsupported",
    );
  });
});

describe("tool calls (tiny-tools model: tool-calling chat template)", () => {
  let engine: Engine;
  const validateArgs = new Ajv({ strict: false }).compile(WEATHER);

  before(async () => {
    engine = await createEngine({ modelPath: await ensureTestModel({ preset: "tiny-tools" }), modelId: "tools", parallel: 2, contextSize: 1024 });
  });
  after(async () => {
    await engine?.close();
  });

  test("the template's tool support is detected and the tools are rendered", () => {
    assert.equal(engine.toolSupport, "hermes");
    const text = engine.renderPrompt(user, { ...tools, mode: "required" }).text;
    assert.match(text, /<tools>\n\{"type": "function", "function": \{"name": "get_weather"/);
    assert.ok(text.endsWith("<|im_start|>assistant\n<tool_call>\n"));
  });

  test("required: the output is one valid call whose arguments validate", async () => {
    for (const seed of [1, 2]) {
      const { text, toolText, result } = await collect(engine.generate({ messages: user, maxTokens: 100, seed, tools: { ...tools, mode: "required" } }));
      assert.equal(text, "");
      assert.equal(result.finishReason, "stop");
      const call = JSON.parse(toolText) as { name: string; arguments: unknown };
      assert.equal(call.name, "get_weather");
      assert.ok(validateArgs(call.arguments), toolText);
    }
  });

  test("json_object output is a JSON object", async () => {
    const { text, result } = await collect(engine.generate({ messages: user, maxTokens: 50, seed: 1, json: JSON_OBJECT_SCHEMA }));
    assert.equal(result.finishReason, "stop");
    const v: unknown = JSON.parse(text);
    assert.ok(typeof v === "object" && v !== null && !Array.isArray(v));
  });

  test("a tool call and a tool result in the history render through the template", () => {
    const text = engine.renderPrompt(
      [
        ...user,
        { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Oslo","unit":"c"}' }] },
        { role: "tool", content: "sunny", toolCallId: "call_1" },
      ],
      { ...tools, mode: "auto" },
    ).text;
    assert.match(text, /<tool_call>\n\{"name": "get_weather", "arguments": \{"city": "Oslo", "unit": "c"\}\}\n<\/tool_call>/);
    assert.match(text, /<tool_response>\nsunny\n<\/tool_response>/);
  });
});
