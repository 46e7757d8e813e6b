import assert from "node:assert/strict";
import { test } from "node:test";
import { ReplayGuard } from "./replay-guard.js";

test("an enc is admitted once within its window; stale and future envelopes are refused", () => {
  let now = 1_000_000;
  const guard = new ReplayGuard({ validityMs: 1_000, now: () => now });
  assert.equal(guard.admit("a", now), "ok");
  assert.equal(guard.admit("a", now), "replayed");
  assert.equal(guard.admit("b", now - 1_001), "stale");
  assert.equal(guard.admit("c", now + 1_001), "stale");
  now += 999;
  assert.equal(guard.admit("a", now - 999), "replayed", "still inside the window");
  now += 2;
  assert.equal(guard.admit("a", now - 1_001), "stale", "outside the window the envelope is refused as stale");
});

test("memory stays bounded: expired entries are pruned, and a full guard fails closed", () => {
  let now = 0;
  const guard = new ReplayGuard({ validityMs: 10, capacity: 3, now: () => now });
  for (const enc of ["a", "b", "c"]) assert.equal(guard.admit(enc, now), "ok");
  assert.equal(guard.admit("d", now), "full", "never forgets a replayable entry to make room");
  assert.equal(guard.admit("a", now), "replayed");
  now = 11;
  assert.equal(guard.admit("d", now), "ok", "expired entries make room");
  assert.equal(guard.size, 1);
});
