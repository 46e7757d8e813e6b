import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { chatUsage } from "../openai/chat-encode.js";
import { CompletionStreamEncoder, completionBody } from "./encode.js";

// Fixtures are kept in src/ (tests run from dist/).
const fixture = (name: string) => readFileSync(new URL(`../../../src/api/completions/__fixtures__/${name}`, import.meta.url), "utf8");

test("stream encoder matches the recorded text_completion stream byte for byte", () => {
  const enc = new CompletionStreamEncoder({ id: "cmpl-7iA7iJjj8V2zOkCGvWF2hAkDWBQZe", model: "gpt-3.5-turbo-instruct", created: 1690759702, includeUsage: true });
  const out = enc.delta("This") + enc.delta(' is a "test"\n') + enc.finish("length", chatUsage(5, 7));
  assert.equal(out, fixture("stream.txt"));
});

test("no usage chunk unless asked for; stop maps to stop", () => {
  const enc = new CompletionStreamEncoder({ id: "c", model: "m", created: 1, includeUsage: false });
  const tail = enc.finish("stop", chatUsage(1, 1));
  assert.ok(!tail.includes('"usage"'));
  assert.ok(tail.includes('"finish_reason":"stop"'));
});

test("non-streaming body matches the recorded text_completion byte for byte", () => {
  const body = completionBody({ id: "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7", model: "gpt-3.5-turbo-instruct", created: 1589478378 }, "\n\nThis is indeed a test", "length", chatUsage(5, 7));
  assert.equal(body, fixture("body.json"));
});
