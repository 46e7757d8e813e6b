// Structured output and tool calling through coordinator + provider with the official openai client,
// in both privacy modes. Random-weight test models: the grammar alone makes the output valid.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Ajv } from "ajv";
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const PLAIN = "tiny-chat";
const TOOLS = "tools-chat";

/** Every value bounded, so the answer fits in max_tokens. */
const PERSON = {
  type: "object",
  properties: {
    name: { type: "string", maxLength: 6 },
    age: { type: "integer" },
    member: { type: "boolean" },
    colour: { type: "string", enum: ["red", "green", "blue"] },
  },
  required: ["name", "age", "member", "colour"],
  additionalProperties: false,
};
const WEATHER: OpenAI.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string", maxLength: 12 }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city", "unit"],
      additionalProperties: false,
    },
    strict: true,
  },
};
const TIME: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "get_time", parameters: { type: "object", properties: {}, additionalProperties: false } },
};
const ajv = new Ajv({ strict: false });
const validPerson = ajv.compile(PERSON);
const validWeatherArgs = ajv.compile(WEATHER.type === "function" ? (WEATHER.function.parameters ?? {}) : {});

describe("structured output and tool calls: openai client → coordinator → provider", () => {
  let coord: RunningCoordinator;
  let plain: RunningProvider;
  let tools: RunningProvider;

  before(async () => {
    coord = await startCoordinator();
    [plain, tools] = await Promise.all([
      ensureTestModel({ preset: "tiny" }).then((modelPath) => startProvider(coord, { modelPath, modelId: PLAIN })),
      ensureTestModel({ preset: "tiny-tools" }).then((modelPath) => startProvider(coord, { modelPath, modelId: TOOLS })),
    ]);
  });

  after(async () => {
    await Promise.all([plain?.stop(), tools?.stop()]);
    await stopAndAuditLedger(coord);
  });

  const clientFor = (mode: "coordinator-sealed" | "e2e") =>
    new OpenAI({
      baseURL: coord.baseURL,
      apiKey: coord.apiKey,
      maxRetries: 0,
      ...(mode === "e2e" && { fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey }) }),
    });

  for (const mode of ["coordinator-sealed", "e2e"] as const) {
    const client = () => clientFor(mode);

    test(`${mode}: json_schema output parses and validates against the schema`, async () => {
      const res = await client().chat.completions.create({
        model: PLAIN,
        messages: [{ role: "user", content: "Describe a person" }],
        max_tokens: 150,
        seed: 1,
        response_format: { type: "json_schema", json_schema: { name: "person", schema: PERSON, strict: true } },
      });
      const choice = res.choices[0];
      assert.equal(choice?.finish_reason, "stop");
      const value: unknown = JSON.parse(choice?.message.content ?? "");
      assert.ok(validPerson(value), JSON.stringify(validPerson.errors));
    });

    test(`${mode}: json_schema cut short by max_tokens ends with finish_reason length`, async () => {
      const res = await client().chat.completions.create({
        model: PLAIN,
        messages: [{ role: "user", content: "Describe a person" }],
        max_tokens: 3,
        response_format: { type: "json_schema", json_schema: { name: "person", schema: PERSON, strict: true } },
      });
      assert.equal(res.choices[0]?.finish_reason, "length");
    });

    test(`${mode}: json_object output is a JSON object (streamed)`, async () => {
      const stream = await client().chat.completions.create({
        model: TOOLS,
        messages: [{ role: "user", content: "Answer in JSON" }],
        max_tokens: 60,
        response_format: { type: "json_object" },
        stream: true,
      });
      let text = "";
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(finish, "stop");
      const v: unknown = JSON.parse(text);
      assert.ok(typeof v === "object" && v !== null && !Array.isArray(v), text);
    });

    test(`${mode}: a schema keyword that cannot be enforced is a 400 naming it`, async () => {
      const err = await client()
        .chat.completions.create({
          model: PLAIN,
          messages: [{ role: "user", content: "x" }],
          max_tokens: 5,
          response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "object", properties: { n: { type: "number", minimum: 1 } } } } },
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.param, "response_format.json_schema.schema.properties.n.minimum");
    });

    test(`${mode}: tools, non-streaming: a valid call in OpenAI's shape`, async () => {
      const res = await client().chat.completions.create({
        model: TOOLS,
        messages: [{ role: "user", content: "Weather in Oslo?" }],
        // The call ends after ~30 tokens; a generous limit only widens the coordinator's
        // non-streaming deadline (proportional to max_tokens) on a busy machine.
        max_tokens: 300,
        tools: [WEATHER, TIME],
        tool_choice: { type: "function", function: { name: "get_weather" } },
      });
      const choice = res.choices[0];
      assert.equal(choice?.finish_reason, "tool_calls");
      assert.equal(choice?.message.content, null);
      const call = choice?.message.tool_calls?.[0];
      assert.ok(call && call.type === "function");
      assert.match(call.id, /^call_/);
      assert.equal(call.function.name, "get_weather");
      assert.ok(validWeatherArgs(JSON.parse(call.function.arguments)), call.function.arguments);
      assert.equal(choice?.message.tool_calls?.length, 1);
    });

    test(`${mode}: tools, streaming: the client's stream helper assembles the call`, async () => {
      const runner = client().chat.completions.stream({
        model: TOOLS,
        messages: [{ role: "user", content: "Weather in Oslo?" }],
        // The call ends after ~30 tokens; a generous limit only widens the coordinator's
        // non-streaming deadline (proportional to max_tokens) on a busy machine.
        max_tokens: 300,
        tools: [WEATHER],
        tool_choice: "required",
      });
      let argumentDeltas = 0;
      runner.on("tool_calls.function.arguments.delta", () => argumentDeltas++);
      const done = await runner.finalChatCompletion();
      const choice = done.choices[0];
      assert.equal(choice?.finish_reason, "tool_calls");
      const call = choice?.message.tool_calls?.[0];
      assert.ok(call && call.type === "function");
      assert.equal(call.function.name, "get_weather");
      assert.ok(validWeatherArgs(JSON.parse(call.function.arguments)), call.function.arguments);
      assert.ok(argumentDeltas >= 1);
    });

    test(`${mode}: a tool result round trip (assistant tool_calls + tool message in the history)`, async () => {
      const first = await client().chat.completions.create({
        model: TOOLS,
        messages: [{ role: "user", content: "Weather in Oslo?" }],
        // The call ends after ~30 tokens; a generous limit only widens the coordinator's
        // non-streaming deadline (proportional to max_tokens) on a busy machine.
        max_tokens: 300,
        tools: [WEATHER],
        tool_choice: "required",
      });
      const message = first.choices[0]?.message;
      const call = message?.tool_calls?.[0];
      assert.ok(message && call);
      const second = await client().chat.completions.create({
        model: TOOLS,
        messages: [
          { role: "user", content: "Weather in Oslo?" },
          message,
          { role: "tool", tool_call_id: call.id, content: '{"temp": 21}' },
        ],
        max_tokens: 5,
        tools: [WEATHER],
        tool_choice: "none",
      });
      assert.equal(second.choices[0]?.finish_reason, "length");
      assert.equal(second.choices[0]?.message.tool_calls, undefined);
      assert.equal(second.usage?.completion_tokens, 5);
      assert.ok((second.usage?.prompt_tokens ?? 0) > (first.usage?.prompt_tokens ?? 0));
    });

    test(`${mode}: tools on a model whose template does not support them: 400 param tools`, async () => {
      const err = await client()
        .chat.completions.create({ model: PLAIN, messages: [{ role: "user", content: "x" }], max_tokens: 5, tools: [WEATHER] })
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.param, "tools");
      assert.match(err.message, /tools are not supported by tiny-chat/);
    });

    test(`${mode}: unknown request fields are ignored`, async () => {
      const res = await client().chat.completions.create({
        model: PLAIN,
        messages: [{ role: "user", content: "x" }],
        max_tokens: 2,
        // @ts-expect-error not an OpenAI parameter
        some_future_field: { a: 1 },
      });
      assert.equal(res.usage?.completion_tokens, 2);
    });
  }
});
