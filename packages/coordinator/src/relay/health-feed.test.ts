import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { completionSample, outcomeOfDeadline, outcomeOfProviderError } from "./health-feed.js";

describe("what the relay reports to provider health", () => {
  it("overloaded is a capacity rejection; a bad request or a cancel is nobody's fault; the rest are errors", () => {
    assert.equal(outcomeOfProviderError("overloaded"), "capacity_rejected");
    assert.equal(outcomeOfProviderError("bad_request"), undefined);
    assert.equal(outcomeOfProviderError("cancelled"), undefined);
    for (const code of ["engine_error", "internal", "decrypt_failed", "model_not_found"] as const) assert.equal(outcomeOfProviderError(code), "error");
  });

  it("a missed first-token or idle deadline is an error; the request's own maximum is not", () => {
    assert.equal(outcomeOfDeadline("first_token"), "error");
    assert.equal(outcomeOfDeadline("idle"), "error");
    assert.equal(outcomeOfDeadline("max_duration"), undefined);
  });

  it("times a completion from dispatch, first chunk and completion", () => {
    const frame = { type: "inference_complete" as const, request_id: "r", usage: { prompt_tokens: 100, completion_tokens: 50 }, finish_reason: "stop" as const };
    assert.deepEqual(completionSample(frame, 1_000, 1_400, 3_400), { promptTokens: 100, completionTokens: 50, ttftMs: 400, decodeMs: 2_000 });
    assert.deepEqual(completionSample(frame, 1_000, undefined, 3_400), { promptTokens: 100, completionTokens: 50, decodeMs: 2_400 });
  });
});
