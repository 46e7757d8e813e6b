import assert from "node:assert/strict";
import { test } from "node:test";
import { reconnectDelayMs } from "./backoff.js";

test("reconnect delay grows exponentially with jitter and is capped", () => {
  assert.equal(reconnectDelayMs(0, () => 0), 250);
  assert.equal(reconnectDelayMs(0, () => 1), 500);
  assert.equal(reconnectDelayMs(3, () => 1), 4000);
  assert.equal(reconnectDelayMs(100, () => 1), 30_000);
  assert.ok(reconnectDelayMs(100, () => 0) >= 15_000);
});
