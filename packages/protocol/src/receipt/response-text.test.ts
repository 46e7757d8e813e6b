import assert from "node:assert/strict";
import { test } from "node:test";
import { MessagesStreamEncoder, messageBody } from "../api/anthropic/index.js";
import { ChatStreamEncoder, chatCompletionBody, chatUsage } from "../api/openai/index.js";
import { utf8Encode } from "../seal/index.js";
import { ResponseTextMeter, TOOL_CALL_OVERHEAD_BYTES, utf8Length } from "./index.js";

function measure(api: ConstructorParameters<typeof ResponseTextMeter>[0], stream: boolean, text: string, split = 7) {
  const m = new ResponseTextMeter(api, stream);
  const bytes = utf8Encode(text);
  for (let i = 0; i < bytes.length; i += split) m.push(bytes.subarray(i, i + split));
  return m.finish();
}

test("utf8Length matches TextEncoder", () => {
  for (const s of ["", "abc", "é", "€", "😀", "a😀b€", "\ud800x"]) assert.equal(utf8Length(s), new TextEncoder().encode(s).length, s);
});

test("chat stream: content deltas and tool-call text count, metadata and [DONE] do not", () => {
  const enc = new ChatStreamEncoder({ id: "chatcmpl-1", model: "m", created: 1, includeUsage: true });
  const wire = enc.start() + enc.delta("Héllo") + enc.delta(", 😀") + enc.finish("stop", chatUsage(5, 3));
  assert.deepEqual(measure("chat.completions", true, wire), { textBytes: utf8Length("Héllo, 😀"), contentDeltas: 2 });
  const tools = enc.toolCallStart(0, "call_1", "get") + enc.toolCallArguments(0, '{"a":1}');
  // The name and arguments, plus the call object's unseen JSON once per call.
  assert.equal(measure("chat.completions", true, tools).textBytes, 3 + 7 + TOOL_CALL_OVERHEAD_BYTES);
});

test("chat body, anthropic stream and body", () => {
  const body = chatCompletionBody({ id: "c", model: "m", created: 1 }, "Hello world", "stop", chatUsage(1, 2));
  assert.equal(measure("chat.completions", false, body).textBytes, 11);
  assert.equal(measure("chat.completions", false, "not json").textBytes, 0);
  const a = new MessagesStreamEncoder({ id: "msg_1", model: "m" });
  const end = { reason: "stop" as const, stopSequence: null };
  const wire = a.start(3) + a.delta("abc") + a.delta("dé") + a.finish(end, 2);
  assert.equal(measure("messages", true, wire, 5).textBytes, 6);
  assert.equal(measure("messages", false, messageBody({ id: "msg_1", model: "m" }, "xyz", end, { input_tokens: 1, output_tokens: 1 })).textBytes, 3);
});
