import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { MessagesStreamEncoder, countTokensBody, messageBody } from "./encode.js";
import { anthropicError, anthropicStreamError } from "./errors.js";

const fixture = (name: string) => readFileSync(new URL(`../../../src/api/anthropic/__fixtures__/${name}`, import.meta.url), "utf8");

test("stream encoder matches the recorded Messages stream byte for byte", () => {
  const enc = new MessagesStreamEncoder({ id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", model: "claude-opus-4-6" });
  const out = enc.start(25) + enc.delta("Hello") + enc.delta("!") + enc.finish({ reason: "stop", stopSequence: null }, 15);
  assert.equal(out, fixture("stream.txt"));
});

test("non-streaming body matches the recorded message byte for byte (stop_sequence)", () => {
  const body = messageBody(
    { id: "msg_013Zva2CMHLNnXjNJJKqJ2EF", model: "claude-opus-4-6" },
    "Hi! My name is Claude.",
    { reason: "stop", stopSequence: "\n\nHuman:" },
    { input_tokens: 2095, output_tokens: 503 },
  );
  assert.equal(body, fixture("body.json"));
});

test("stop reasons: length → max_tokens, a stop string → stop_sequence, else end_turn", () => {
  const enc = new MessagesStreamEncoder({ id: "m", model: "x" });
  assert.match(enc.finish({ reason: "length", stopSequence: null }, 3), /"stop_reason":"max_tokens","stop_sequence":null/);
  assert.match(enc.finish({ reason: "stop", stopSequence: "END" }, 3), /"stop_reason":"stop_sequence","stop_sequence":"END"/);
  assert.match(enc.finish({ reason: "abort", stopSequence: null }, 3), /"stop_reason":"end_turn"/);
});

test("errors in Anthropic's shape, body and in-stream event", () => {
  assert.equal(JSON.stringify(anthropicError(404, "The requested resource could not be found.")), fixture("error.json"));
  assert.equal(anthropicStreamError(503, "Overloaded"), fixture("error-event.txt"));
  assert.equal(anthropicError(401, "x").error.type, "authentication_error");
  assert.equal(anthropicError(413, "x").error.type, "request_too_large");
  assert.equal(anthropicError(429, "x").error.type, "rate_limit_error");
  assert.equal(countTokensBody(12), '{"input_tokens":12}');
});
