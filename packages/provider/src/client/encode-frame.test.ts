import assert from "node:assert/strict";
import { test } from "node:test";
import { createStreamSealer, encodeFrame, type ProviderFrame } from "@darkbloom/protocol";
import { encodeProviderFrame } from "./encode-frame.js";

test("inference_chunk frames encode exactly as JSON.stringify would", () => {
  const sealer = createStreamSealer(new Uint8Array(32).fill(1), "0123456789abcdef");
  const ids = ["req_1", 'odd "id" \\ with\nescapes ✓', "x".repeat(128)];
  let i = 0;
  for (const request_id of ids) {
    for (const text of ["", "a", "data: {\"x\":1}\n\n".repeat(20)]) {
      const frame: ProviderFrame = { type: "inference_chunk", request_id, tokens: i * 7, chunk: sealer.seal(new TextEncoder().encode(text), false) };
      assert.equal(encodeProviderFrame(frame), encodeFrame(frame), `case ${i++}`);
    }
  }
  const last: ProviderFrame = { type: "inference_chunk", request_id: "r", tokens: 2 ** 40, chunk: sealer.seal(new Uint8Array(0), true) };
  assert.equal(encodeProviderFrame(last), encodeFrame(last));
  const other: ProviderFrame = { type: "inference_accepted", request_id: "r" };
  assert.equal(encodeProviderFrame(other), encodeFrame(other));
});
