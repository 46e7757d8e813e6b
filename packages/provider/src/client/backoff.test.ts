import assert from "node:assert/strict";
import { test } from "node:test";
import { RECONNECT_CAP_MS, reconnectDelayMs } from "./backoff.js";

test("reconnect delay grows exponentially with jitter from a quarter second", () => {
  assert.equal(reconnectDelayMs(0, () => 0), 125);
  assert.equal(reconnectDelayMs(0, () => 1), 250);
  assert.equal(reconnectDelayMs(3, () => 1), 2_000);
  assert.equal(reconnectDelayMs(3, () => 0.5), 1_500);
});

test("reconnect delay is capped low (≤ 5 s), so providers are back within seconds of a coordinator restart", () => {
  assert.equal(RECONNECT_CAP_MS, 5_000);
  for (const attempt of [5, 10, 100, 10_000]) {
    assert.equal(reconnectDelayMs(attempt, () => 1), 5_000);
    assert.equal(reconnectDelayMs(attempt, () => 0), 2_500, "jitter never drops below half the cap");
  }
});

test("jitter spreads a fleet out", () => {
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const delays = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(10, random)));
  assert.ok(delays.size > 40, "50 providers pick (nearly) 50 different delays");
  for (const d of delays) assert.ok(d >= 2_500 && d <= 5_000);
});
