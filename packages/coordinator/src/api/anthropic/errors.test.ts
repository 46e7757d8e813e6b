import assert from "node:assert/strict";
import { test } from "node:test";
import { errorFormatForPath } from "./errors.js";

test("Anthropic's error shape for /v1/messages and everything below it, OpenAI's elsewhere", () => {
  assert.equal(errorFormatForPath("/v1/messages"), "anthropic");
  assert.equal(errorFormatForPath("/v1/messages/count_tokens"), "anthropic");
  assert.equal(errorFormatForPath("/v1/messages/batches/x"), "anthropic");
  assert.equal(errorFormatForPath("/v1/messagesx"), "openai");
  assert.equal(errorFormatForPath("/v1/chat/completions"), "openai");
  assert.equal(errorFormatForPath("/v1/responses/resp_1"), "openai");
});
