import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ResponsesStreamEncoder, responseBody, responsesUsage, type ResponsesMeta } from "./encode.js";

const fixture = (name: string) => readFileSync(new URL(`../../../src/api/responses/__fixtures__/${name}`, import.meta.url), "utf8");

const meta: ResponsesMeta = {
  id: "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",
  messageId: "msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654",
  model: "gpt-4.1-2025-04-14",
  createdAt: 1741290958,
  echo: { instructions: "You are a helpful assistant.", maxOutputTokens: null, temperature: 1, topP: 1, store: false, user: null, metadata: {} },
};

test("stream encoder matches the recorded Responses stream byte for byte", () => {
  const enc = new ResponsesStreamEncoder(meta);
  const out = enc.start() + enc.delta("Hi") + enc.delta(" there!") + enc.finish("stop", responsesUsage(37, 11));
  assert.equal(out, fixture("stream.txt"));
});

test("non-streaming body matches the recorded response object byte for byte", () => {
  assert.equal(responseBody(meta, "Hi there!", "stop", responsesUsage(37, 11)), fixture("body.json"));
});

test("a max_output_tokens cut ends incomplete, as OpenAI's does", () => {
  const enc = new ResponsesStreamEncoder(meta);
  const tail = enc.start() + enc.delta("x") + enc.finish("length", responsesUsage(1, 1));
  const last = tail.trimEnd().split("\n\n").at(-1)!;
  assert.ok(last.startsWith("event: response.incomplete\n"));
  const data = JSON.parse(last.split("\ndata: ")[1]!) as { response: { status: string; incomplete_details: unknown } };
  assert.equal(data.response.status, "incomplete");
  assert.deepEqual(data.response.incomplete_details, { reason: "max_output_tokens" });
  const body = JSON.parse(responseBody(meta, "x", "length", responsesUsage(1, 1))) as { status: string };
  assert.equal(body.status, "incomplete");
});
