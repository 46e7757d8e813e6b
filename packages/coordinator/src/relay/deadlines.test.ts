import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { manualClock } from "../test-support/manual-clock.js";
import { FlightTimers, deadlineOutcome, firstChunkDeadlineMs, firstTokenDeadlineMs, type DeadlineKind } from "./deadlines.js";

describe("first-token deadline", () => {
  it("is 5 s + 1 ms per input token (SPEC)", () => {
    assert.equal(firstTokenDeadlineMs(0, undefined), 5_000);
    assert.equal(firstTokenDeadlineMs(2_000, undefined), 7_000);
    assert.equal(firstTokenDeadlineMs(2_000, 0), 7_000, "no observed speed yet");
    assert.equal(firstTokenDeadlineMs(2_000, 10_000), 7_000, "a fast provider keeps the SPEC deadline");
  });

  it("is never less than twice the prefill the provider's observed speed predicts (slow CPU providers)", () => {
    // 8,000 tokens at 100 tok/s: 80 s of prefill; the SPEC deadline (13 s) would fail it spuriously.
    assert.equal(firstTokenDeadlineMs(8_000, 100), 160_000);
  });
});

describe("first-chunk deadline", () => {
  it("streaming: the first-token deadline", () => {
    assert.equal(firstChunkDeadlineMs({ inputTokens: 100, maxTokens: 2_000, stream: true, prefillTps: 1_000, decodeTps: 10 }), 5_100);
  });

  it("non-streaming: the whole body is one chunk, so twice the decode of max_tokens is added; unmeasured speed: none", () => {
    assert.equal(firstChunkDeadlineMs({ inputTokens: 100, maxTokens: 2_000, stream: false, prefillTps: 1_000, decodeTps: 10 }), 5_100 + 800_000);
    assert.equal(firstChunkDeadlineMs({ inputTokens: 100, maxTokens: 2_000, stream: false, decodeTps: 0 }), undefined);
  });
});

describe("FlightTimers", () => {
  const setup = (idleMs = 1_000, maxMs = 60_000) => {
    const clock = manualClock();
    const fired: DeadlineKind[] = [];
    const timers = new FlightTimers(clock, idleMs, maxMs, (k) => fired.push(k));
    return { clock, fired, timers };
  };

  it("fires the first-token deadline when no chunk came", () => {
    const { clock, fired, timers } = setup();
    timers.awaitFirstToken(5_000);
    clock.advance(4_999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ["first_token"]);
    timers.clear();
    assert.equal(clock.pending, 0);
  });

  it("switches to the idle timeout on the first chunk; steady chunks keep it quiet", () => {
    const { clock, fired, timers } = setup();
    timers.awaitFirstToken(5_000);
    clock.advance(4_000);
    timers.sawChunk();
    for (let i = 0; i < 20; i++) {
      clock.advance(900);
      timers.sawChunk();
    }
    assert.deepEqual(fired, []);
    assert.ok(clock.pending <= 2, "one idle timer and the max timer, not one per chunk");
    clock.advance(999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ["idle"]);
  });

  it("stops watching on cancel; the hard maximum still fires", () => {
    const { clock, fired, timers } = setup(1_000, 10_000);
    timers.awaitFirstToken(5_000);
    timers.stopWatching();
    clock.advance(9_999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ["max_duration"]);
    assert.equal(clock.pending, 0);
  });

  it("without a first-chunk deadline, still starts the idle timeout on the first chunk", () => {
    const { clock, fired, timers } = setup(1_000, 100_000);
    timers.awaitFirstToken(undefined);
    clock.advance(50_000);
    assert.deepEqual(fired, []);
    timers.sawChunk();
    clock.advance(1_000);
    assert.deepEqual(fired, ["idle"]);
  });

  it("re-arms the first-token deadline per dispatch (failover)", () => {
    const { clock, fired, timers } = setup();
    timers.awaitFirstToken(5_000);
    clock.advance(5_000);
    timers.awaitFirstToken(5_000);
    clock.advance(4_000);
    timers.sawChunk();
    clock.advance(500);
    assert.deepEqual(fired, ["first_token"]);
  });

  it("maps each deadline to cancel + failover (before the first chunk) or an error (after it)", () => {
    assert.equal(deadlineOutcome("first_token", 1).failOver, true);
    assert.equal(deadlineOutcome("idle", 1).failOver, false);
    assert.equal(deadlineOutcome("max_duration", 600_000).message, "The request exceeded the maximum duration of 600 s.");
    for (const k of ["first_token", "idle", "max_duration"] as const) assert.equal(deadlineOutcome(k, 1).status, 504);
  });
});
