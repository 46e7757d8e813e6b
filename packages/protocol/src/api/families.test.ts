import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatRequestError } from "./openai/chat-request-error.js";
import { clientMaxTokens, errorBody, parseApiRequest, routingFacts } from "./families.js";

const refuses = (api: Parameters<typeof parseApiRequest>[0], body: unknown, param: string | null) =>
  assert.throws(
    () => parseApiRequest(api, body),
    (err: unknown) => err instanceof ChatRequestError && err.param === param,
    `${api} refuses ${JSON.stringify(body)} naming ${param}`,
  );

test("completions: a prompt string or one-string array; OpenAI's default of 16 tokens", () => {
  const r = parseApiRequest("completions", { model: "m", prompt: ["hi"], stop: "x", stream: true, stream_options: { include_usage: true }, unknown_field: 1 });
  assert.equal(r.api, "completions");
  assert.deepEqual(r.params, { model: "m", prompt: "hi", stream: true, includeUsage: true, maxTokens: 16, maxTokensExplicit: true, stop: ["x"] });
  refuses("completions", { model: "m", prompt: ["a", "b"] }, "prompt");
  refuses("completions", { model: "m", prompt: "a", n: 2 }, "n");
  refuses("completions", { model: "m", prompt: "a", echo: true }, "echo");
  refuses("completions", { model: "m", prompt: 3 }, "prompt");
});

test("responses: instructions become the system message; store ignored; previous_response_id refused", () => {
  const r = parseApiRequest("responses", {
    model: "m",
    instructions: "be brief",
    input: [{ role: "user", content: [{ type: "input_text", text: "a" }, { type: "input_text", text: "b" }] }, { type: "message", role: "assistant", content: "c" }],
    max_output_tokens: 9,
    store: true,
  });
  assert.equal(r.api, "responses");
  if (r.api !== "responses") return;
  assert.deepEqual(r.params.messages, [
    { role: "system", content: "be brief" },
    { role: "user", content: "ab" },
    { role: "assistant", content: "c" },
  ]);
  assert.equal(r.params.maxTokens, 9);
  assert.equal(r.params.echo.store, false);
  refuses("responses", { model: "m", input: "x", previous_response_id: "resp_1" }, "previous_response_id");
  refuses("responses", { model: "m", input: "x", tools: [{ type: "function" }] }, "tools");
  refuses("responses", { model: "m", input: "x", temperature: "hot" }, "temperature");
});

test("messages: system string or blocks, max_tokens required, top_k and stop_sequences", () => {
  const r = parseApiRequest("messages", {
    model: "m",
    system: [{ type: "text", text: "sys" }],
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    max_tokens: 5,
    top_k: 3,
    stop_sequences: ["END"],
  });
  if (r.api !== "messages") return assert.fail("messages");
  assert.deepEqual(r.params.messages, [{ role: "system", content: "sys" }, { role: "user", content: "hi" }]);
  assert.equal(r.params.topK, 3);
  assert.deepEqual(r.params.stop, ["END"]);
  refuses("messages", { model: "m", messages: [{ role: "user", content: "hi" }] }, "max_tokens");
  refuses("messages", { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 1, temperature: 1.5 }, "temperature");
  refuses("messages", { model: "m", messages: [{ role: "user", content: [{ type: "image", source: {} }] }], max_tokens: 1 }, "messages.0.content");
  refuses("messages", { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 1, tools: [{ name: "f" }] }, "tools");
});

test("count_tokens routes as a one-token, non-streaming request", () => {
  const r = parseApiRequest("messages.count_tokens", { model: "m", messages: [{ role: "user", content: "hi" }] });
  assert.deepEqual(routingFacts(r), { model: "m", stream: false, maxTokens: 1, maxTokensExplicit: true });
  assert.equal(clientMaxTokens("messages.count_tokens", {}), 1);
  assert.equal(clientMaxTokens("responses", { max_output_tokens: 7, max_tokens: 3 }), 7);
  assert.equal(clientMaxTokens("chat.completions", { max_completion_tokens: 4, max_tokens: 3 }), 4);
});

test("error bodies in each family's shape", () => {
  assert.deepEqual(JSON.parse(errorBody("anthropic", 402, "no money")), { type: "error", error: { type: "billing_error", message: "no money" } });
  assert.deepEqual(JSON.parse(errorBody("openai", 404, "nope", "model_not_found", "model")), {
    error: { message: "nope", type: "not_found_error", code: "model_not_found", param: "model" },
  });
});
