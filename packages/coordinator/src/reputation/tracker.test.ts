import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reputationScore, ttftFactor } from "./score.js";
import { ReputationTracker } from "./tracker.js";

function tracker(opts: { maxProviders?: number; forgetAfterMs?: number } = {}) {
  let t = 1_000_000;
  const rep = new ReputationTracker({ now: () => t, ...opts });
  return { rep, advance: (ms: number) => void (t += ms) };
}

describe("reputation score", () => {
  it("follows the documented formula", () => {
    assert.equal(reputationScore({ success: 1, uptime: 1, challenges: 1, ttftEwmaMs: null, disputes: 0 }), 1);
    assert.equal(reputationScore({ success: 0, uptime: 0, challenges: 0, ttftEwmaMs: 1e9, disputes: 0 }), 0);
    assert.equal(reputationScore({ success: 0.5, uptime: 1, challenges: 0.5, ttftEwmaMs: 4_000, disputes: 0 }), 0.2 + 0.2 + 0.1 + 0.1);
    assert.equal(reputationScore({ success: 1, uptime: 1, challenges: 1, ttftEwmaMs: 1_000, disputes: 2 }), 0.64);
    assert.equal(ttftFactor(500), 1);
    assert.equal(ttftFactor(8_000), 0.25);
  });

  it("stays in [0, 1] whatever the inputs", () => {
    for (const x of [-1, 0, 0.3, 2, Number.NaN, Infinity]) {
      const s = reputationScore({ success: x, uptime: x, challenges: x, ttftEwmaMs: Number.isFinite(x) ? x : null, disputes: Number.isFinite(x) ? x : 0 });
      assert.ok(s >= 0 && s <= 1, `score ${s} for ${x}`);
    }
  });
});

describe("ReputationTracker", () => {
  it("jobs: smoothed success rate over the window, lifetime totals, TTFT EWMA and median", () => {
    const { rep } = tracker();
    assert.equal(rep.snapshot("p1"), undefined);
    rep.recordJob("p1", { ok: true, ttftMs: 100 });
    rep.recordJob("p1", { ok: true, ttftMs: 300 });
    rep.recordJob("p1", { ok: false });
    const s = rep.snapshot("p1")!;
    assert.deepEqual(s.jobs, { total: 3, succeeded: 2, failed: 1, successRate: 0.6 });
    assert.deepEqual(s.ttftMs, { ewma: 140, p50: 100, samples: 2 });
    for (let i = 0; i < 200; i++) rep.recordJob("p1", { ok: true });
    const later = rep.snapshot("p1")!;
    assert.equal(later.jobs.total, 203);
    assert.equal(later.jobs.successRate, Math.round((101 / 102) * 10_000) / 10_000, "only the last 100 jobs count");
  });

  it("uptime: connected time over the time since first seen, across reconnects", () => {
    const { rep, advance } = tracker();
    rep.recordConnected("p");
    advance(30_000);
    assert.equal(rep.snapshot("p")!.uptime, 1);
    rep.recordDisconnected("p");
    advance(10_000);
    assert.equal(rep.snapshot("p")!.uptime, 0.75);
    assert.equal(rep.snapshot("p")!.connected, false);
    rep.recordConnected("p");
    advance(40_000);
    assert.equal(rep.snapshot("p")!.uptime, 70 / 80);
    // A replacing connection overlaps the old one: still one connected interval.
    rep.recordConnected("p");
    rep.recordDisconnected("p");
    assert.equal(rep.snapshot("p")!.connected, true);
    rep.recordDisconnected("p");
    rep.recordDisconnected("p"); // an extra close is ignored
    advance(20_000);
    assert.equal(rep.snapshot("p")!.uptime, 0.7);
  });

  it("challenges and disputes lower the score", () => {
    const { rep } = tracker();
    rep.recordConnected("good");
    rep.recordConnected("bad");
    for (let i = 0; i < 10; i++) {
      rep.recordChallenge("good", true);
      rep.recordChallenge("bad", i < 5);
    }
    const good = rep.snapshot("good")!;
    const bad = rep.snapshot("bad")!;
    assert.deepEqual(bad.challenges, { passed: 5, failed: 5, passRate: 0.5 });
    assert.ok(good.score > bad.score);
    rep.recordDispute("good");
    assert.equal(rep.snapshot("good")!.disputes, 1);
    rep.seedDisputes("good", 0);
    assert.equal(rep.snapshot("good")!.disputes, 1, "a stored count never lowers what this run saw");
    rep.seedDisputes("bad", 3);
    assert.equal(rep.snapshot("bad")!.disputes, 3);
    rep.seedDisputes("unknown", 3);
    assert.equal(rep.snapshot("unknown"), undefined);
    assert.ok(Math.abs(rep.snapshot("good")!.score - good.score * 0.8) < 1e-3, "one dispute: × 0.8");
  });

  it("is bounded: past the cap the least recently active disconnected provider is forgotten", () => {
    const { rep } = tracker({ maxProviders: 3 });
    rep.recordConnected("a");
    rep.recordJob("b", { ok: true });
    rep.recordJob("c", { ok: true });
    rep.recordJob("d", { ok: true });
    assert.equal(rep.size, 3);
    assert.ok(rep.snapshot("a"), "a connected provider is kept");
    assert.equal(rep.snapshot("b"), undefined, "the oldest disconnected one went");
    for (let i = 0; i < 1_000; i++) rep.recordJob(`x${i}`, { ok: true });
    assert.equal(rep.size, 3);
  });

  it("forgets providers disconnected and silent past the retention window", () => {
    const { rep, advance } = tracker({ forgetAfterMs: 60_000 });
    rep.recordConnected("gone");
    rep.recordDisconnected("gone");
    rep.recordConnected("stays");
    advance(61_000);
    rep.recordJob("new", { ok: true });
    assert.equal(rep.snapshot("gone"), undefined);
    assert.ok(rep.snapshot("stays"));
  });
});
