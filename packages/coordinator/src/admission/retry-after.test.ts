import assert from "node:assert/strict";
import { it } from "node:test";
import { retryAfterSeconds } from "./retry-after.js";

it("Retry-After = clamp(depth × 3, 2, 30)", () => {
  assert.deepEqual([0, 1, 2, 5, 10, 11, 100].map(retryAfterSeconds), [2, 3, 6, 15, 30, 30, 30]);
});
