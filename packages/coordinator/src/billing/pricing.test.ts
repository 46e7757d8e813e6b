import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FALLBACK_PRICE, MIN_CHARGE_MICROS, costMicros, worstCaseMicros } from "./pricing.js";

describe("pricing", () => {
  it("charges the fallback price per million tokens, rounded up", () => {
    assert.equal(costMicros(FALLBACK_PRICE, 1_000_000, 0), 50_000);
    assert.equal(costMicros(FALLBACK_PRICE, 0, 1_000_000), 200_000);
    assert.equal(costMicros(FALLBACK_PRICE, 10_000, 10_000), 2_500);
    assert.equal(costMicros(FALLBACK_PRICE, 10_001, 0), 501);
  });

  it("applies the minimum charge to any non-empty usage and charges nothing for none", () => {
    assert.equal(costMicros(FALLBACK_PRICE, 1, 1), MIN_CHARGE_MICROS);
    assert.equal(costMicros(FALLBACK_PRICE, 0, 0), 0);
  });

  it("reserves the worst case of the input estimate plus max_tokens", () => {
    assert.equal(worstCaseMicros(FALLBACK_PRICE, 100, 8192), Math.ceil((100 * 50_000 + 8192 * 200_000) / 1e6));
    assert.equal(worstCaseMicros(FALLBACK_PRICE, 0, 1), MIN_CHARGE_MICROS);
  });
});
