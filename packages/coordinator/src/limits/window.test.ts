import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../test-support/manual-clock.js";
import { RequestWindows, windowState } from "./window.js";

const MIN = 60_000;

describe("sliding window math", () => {
  it("counts only events inside (now - window, now]", () => {
    const events = [
      { at: 1_000, weight: 5 },
      { at: 30_000, weight: 7 },
      { at: 61_000, weight: 1 },
    ];
    const s = windowState(events, 61_000, MIN, 100, 1);
    assert.equal(s.used, 8, "the event at exactly now - window has aged out");
    assert.equal(s.remaining, 92);
    assert.equal(s.resetMs, MIN, "until the newest event ages out");
    assert.equal(s.allowed, true);
    assert.equal(s.retryAfterMs, 0);
  });

  it("says exactly when enough has aged out to admit the cost", () => {
    const events = [
      { at: 0, weight: 40 },
      { at: 10_000, weight: 40 },
      { at: 20_000, weight: 20 },
    ];
    const s = windowState(events, 30_000, MIN, 100, 1);
    assert.equal(s.allowed, false);
    assert.equal(s.remaining, 0);
    assert.equal(s.retryAfterMs, 30_000, "the first event leaves at 60 s");
    assert.equal(windowState(events, 30_000 + s.retryAfterMs, MIN, 100, 1).allowed, true);
    assert.equal(windowState(events, 30_000 + s.retryAfterMs - 1, MIN, 100, 1).allowed, false);
    const big = windowState(events, 30_000, MIN, 100, 61);
    assert.equal(big.retryAfterMs, 40_000, "a cost of 61 needs the first two events gone");
    assert.equal(windowState(events, 30_000, MIN, 100, 500).retryAfterMs, 50_000, "a cost over the limit: the full reset");
  });

  it("is empty and full with no events", () => {
    assert.deepEqual(windowState([], 5, MIN, 3, 1), { limit: 3, used: 0, remaining: 3, resetMs: 0, allowed: true, retryAfterMs: 0 });
  });
});

describe("request windows on a fake clock", () => {
  it("admits N per minute per key, then 429s until the oldest ages out", () => {
    const clock = new ManualClock(1_000_000);
    const w = new RequestWindows(MIN);
    const states = [0, 1, 2].map(() => {
      const s = w.admit("k", clock.now(), 3);
      clock.advance(1_000);
      return s;
    });
    assert.deepEqual(states.map((s) => [s.allowed, s.remaining]), [[true, 2], [true, 1], [true, 0]]);
    const refused = w.admit("k", clock.now(), 3);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, MIN - 3_000, "the first request (3 s ago) frees its slot at 60 s");
    assert.equal(w.admit("other", clock.now(), 3).allowed, true, "keys are independent");
    clock.advance(refused.retryAfterMs - 1);
    assert.equal(w.admit("k", clock.now(), 3).allowed, false);
    clock.advance(1);
    assert.equal(w.admit("k", clock.now(), 3).allowed, true);
    assert.equal(w.admit("k", clock.now(), 3).allowed, false, "the refused attempt did not take a slot");
  });

  it("forgets keys whose window is empty", () => {
    const clock = new ManualClock(0);
    const w = new RequestWindows(MIN);
    w.admit("a", clock.now(), 5);
    w.admit("b", clock.now(), 5);
    clock.advance(MIN);
    w.prune(clock.now());
    assert.equal(w.size, 0);
  });
});
