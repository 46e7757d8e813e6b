import assert from "node:assert/strict";
import { test } from "node:test";
import { AttemptLimiter } from "./attempts.js";

test("failed code entries are limited per account, per window, in bounded memory", () => {
  let t = 0;
  const limiter = new AttemptLimiter({ max: 3, windowMs: 60_000, maxKeys: 2, now: () => t });
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfterS("a"), 0);
    limiter.count("a");
  }
  assert.equal(limiter.retryAfterS("a"), 60);
  t = 30_000;
  assert.equal(limiter.retryAfterS("a"), 30);
  limiter.count("b");
  limiter.count("c");
  assert.equal(limiter.size, 2, "the oldest account is dropped");
  t = 60_000;
  assert.equal(limiter.retryAfterS("a"), 0, "a new window");
});
