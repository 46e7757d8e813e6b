import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TEMPLATE_ALLOWANCE_TOKENS, billableUsage, checkChunkTokens, promptTokenCap, promptTokenEstimate, type RequestLimits } from "./caps.js";
import { FALLBACK_PRICE, costMicros, worstCaseMicros } from "./pricing.js";

const limits: RequestLimits = { maxCompletionTokens: 5, maxPromptTokens: promptTokenCap(400), promptEstimate: promptTokenEstimate(400) };
const delivered = (chunks: number, completionTokens: number) => ({ chunks, completionTokens });

describe("billing caps", () => {
  it("bounds prompt tokens by the body size plus the template allowance; estimates ~4 bytes a token", () => {
    assert.equal(promptTokenCap(400), 400 + TEMPLATE_ALLOWANCE_TOKENS);
    assert.equal(promptTokenCap(0), TEMPLATE_ALLOWANCE_TOKENS);
    assert.equal(promptTokenEstimate(400), 100);
    assert.equal(promptTokenEstimate(401), 101);
    assert.ok(promptTokenEstimate(10_000_000) <= promptTokenCap(10_000_000));
  });

  it("bills an honest report as reported", () => {
    const d = billableUsage(limits, { promptTokens: 90, completionTokens: 5 }, delivered(3, 5));
    assert.deepEqual(d, { billable: { promptTokens: 90, completionTokens: 5 }, faults: [] });
  });

  it("clamps an inflated report to the caps and names each fault (attack: 1e6/1e6 for max_tokens=5)", () => {
    const d = billableUsage(limits, { promptTokens: 1e6, completionTokens: 1e6 }, delivered(6, 5));
    assert.deepEqual(d.billable, { promptTokens: limits.maxPromptTokens, completionTokens: 5 });
    assert.deepEqual(d.faults, [
      { field: "prompt_tokens", claimed: 1e6, allowed: limits.maxPromptTokens },
      { field: "completion_tokens", claimed: 1e6, allowed: 5 },
    ]);
    // What the reservation holds covers the capped bill: settling never needs more than the hold.
    const hold = worstCaseMicros(FALLBACK_PRICE, limits.maxPromptTokens, limits.maxCompletionTokens);
    assert.ok(costMicros(FALLBACK_PRICE, d.billable.promptTokens, d.billable.completionTokens) <= hold);
  });

  it("charges nothing when nothing reached the consumer, whatever the claim (attack: usage on a 502)", () => {
    const d = billableUsage(limits, { promptTokens: 1e6, completionTokens: 1e6 }, delivered(0, 0));
    assert.deepEqual(d.billable, { promptTokens: 0, completionTokens: 0 });
    assert.equal(d.faults.length, 2, "the over-cap claim is still a fault");
    assert.deepEqual(billableUsage(limits, null, delivered(0, 0)).billable, { promptTokens: 0, completionTokens: 0 });
  });

  it("bills what was delivered when the provider died without a report: delivered completion, estimated prompt", () => {
    const d = billableUsage(limits, null, delivered(2, 3));
    assert.deepEqual(d, { billable: { promptTokens: limits.promptEstimate, completionTokens: 3 }, faults: [] });
  });

  it("never bills completion tokens beyond what the consumer received (cancelled mid-stream)", () => {
    const d = billableUsage({ ...limits, maxCompletionTokens: 100 }, { promptTokens: 10, completionTokens: 80 }, delivered(4, 3));
    assert.deepEqual(d, { billable: { promptTokens: 10, completionTokens: 3 }, faults: [] });
    const under = billableUsage({ ...limits, maxCompletionTokens: 100 }, { promptTokens: 10, completionTokens: 2 }, delivered(4, 3));
    assert.equal(under.billable.completionTokens, 2, "an under-report is the provider's loss");
  });

  it("accepts a rising chunk token count and clamps one that falls or passes max_tokens", () => {
    assert.deepEqual(checkChunkTokens(3, 4, 5), { tokens: 4 });
    assert.deepEqual(checkChunkTokens(3, 3, 5), { tokens: 3 });
    assert.deepEqual(checkChunkTokens(3, 1, 5), { tokens: 3, fault: { reason: "decreased", claimed: 1, allowed: 3 } });
    assert.deepEqual(checkChunkTokens(3, 1e9, 5), { tokens: 5, fault: { reason: "above_max_tokens", claimed: 1e9, allowed: 5 } });
  });
});
