import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../test-support/manual-clock.js";
import { BackupStats } from "./backup-stats.js";
import { HealthCarryover } from "./carryover.js";
import { DEFAULT_HEALTH_POLICY } from "./policy.js";
import { ProviderHealth } from "./provider-health.js";

const MIN = 60_000;

function setup() {
  const clock = new ManualClock(1_000_000);
  return { clock, h: new ProviderHealth(clock.now) };
}

describe("ProviderHealth", () => {
  it("2 errors within 60 s put the provider in error cooldown for 5 min", () => {
    const { clock, h } = setup();
    h.record("m", "error");
    assert.equal(h.admits("m", 0), true);
    clock.advance(59_000);
    h.record("m", "error");
    assert.equal(h.admits("m", 0), false);
    assert.deepEqual(h.gates().map((g) => [g.name, g.until]), [["error_cooldown", clock.now() + 5 * MIN]]);
    clock.advance(5 * MIN - 1);
    assert.equal(h.admits("m", 0), false);
    clock.advance(1);
    assert.equal(h.admits("m", 0), true);
    assert.deepEqual(h.gates(), []);
  });

  it("errors more than 60 s apart never start a cooldown", () => {
    const { clock, h } = setup();
    for (let i = 0; i < 4; i++) {
      h.record("m", "error");
      h.record("m", "success");
      clock.advance(61_000);
    }
    assert.equal(h.admits("m", 0), true);
  });

  it("5 consecutive failures open the circuit for 60 s, then one half-open trial at a time", () => {
    const { clock, h } = setup();
    for (let i = 0; i < 5; i++) {
      h.record("m", "error");
      clock.advance(61_000); // apart enough that the error cooldown never starts
    }
    // Opened at the 5th failure, 61 s ago: the 60 s open period is over.
    assert.equal(h.circuit(), "half_open");
    assert.equal(h.admits("m", 0), true);
    assert.equal(h.admits("m", 1), false, "a trial is in flight: no second one");
  });

  it("a failed half-open trial reopens for twice as long, up to 5 min; a success closes and resets", () => {
    const { clock, h } = setup();
    for (let i = 0; i < 4; i++) {
      h.record("m", "error");
      clock.advance(61_000);
    }
    h.record("m", "error"); // 5th in a row: open 60 s
    assert.equal(h.circuit(), "open");
    assert.equal(h.gates()[0]?.name, "circuit_open");
    assert.equal(h.gates()[0]?.until, clock.now() + 60_000);
    const expected = [120_000, 240_000, 300_000, 300_000];
    for (const ms of expected) {
      clock.advance(h.closedUntil() - clock.now());
      assert.equal(h.circuit(), "half_open");
      clock.advance(61_000); // keep errors over 60 s apart (no error cooldown)
      h.record("m", "error");
      assert.equal(h.circuit(), "open");
      assert.equal(h.closedUntil(), clock.now() + ms);
    }
    clock.advance(h.closedUntil() - clock.now());
    h.record("m", "success");
    assert.equal(h.circuit(), "closed");
    // The doubling starts over: 5 more failures open it for 60 s again.
    for (let i = 0; i < 5; i++) {
      clock.advance(61_000);
      h.record("m", "error");
    }
    assert.equal(h.closedUntil(), clock.now() + 60_000);
  });

  it("more than 80% failures over the last 20 opens the circuit", () => {
    // With the default 5-in-a-row rule, 17 of 20 always contains such a run; isolate the ratio rule.
    const clock = new ManualClock(0);
    const h = new ProviderHealth(clock.now, { ...DEFAULT_HEALTH_POLICY, breakerConsecutive: 100 });
    const pattern = "SSS" + "F".repeat(17);
    let opened = -1;
    for (const [i, c] of [...pattern].entries()) {
      clock.advance(61_000);
      h.record("m", c === "F" ? "error" : "success");
      if (opened < 0 && h.circuit() === "open") opened = i;
    }
    assert.equal(pattern.length, 20);
    assert.equal(opened, 19, "opens exactly when the 20-outcome window passes 80% (17 of 20)");
  });

  it("late results of dispatches made before the circuit opened change nothing while open", () => {
    const { clock, h } = setup();
    for (let i = 0; i < 5; i++) {
      clock.advance(61_000);
      h.record("m", "error");
    }
    const until = h.closedUntil();
    h.record("m", "success");
    h.record("m", "error");
    assert.equal(h.circuit(), "open");
    assert.equal(h.gates().find((g) => g.name === "circuit_open")?.until, until);
  });

  it("3 capacity rejections within 30 s cool that model only; they are not errors", () => {
    const { clock, h } = setup();
    for (let i = 0; i < 3; i++) {
      h.record("a", "capacity_rejected");
      clock.advance(10_000);
    }
    // the third came 10 s ago
    assert.equal(h.admits("a", 0), false);
    assert.equal(h.admits("b", 0), true);
    assert.equal(h.circuit(), "closed");
    assert.deepEqual(h.gates().map((g) => [g.name, g.model]), [["capacity_cooldown", "a"]]);
    clock.advance(20_000);
    assert.equal(h.admits("a", 0), true);
  });
});

describe("BackupStats", () => {
  it("backups stay worthwhile until 20 were sent and fewer than 10% won", () => {
    const b = new BackupStats();
    for (let i = 0; i < 19; i++) b.dispatched("m");
    assert.equal(b.worthwhile("m"), true);
    b.dispatched("m");
    assert.equal(b.worthwhile("m"), false);
    b.won("m");
    b.won("m");
    assert.equal(b.worthwhile("m"), true);
    assert.equal(b.worthwhile("other"), true);
  });

  it("follows recent behaviour: old losses decay", () => {
    const b = new BackupStats();
    for (let i = 0; i < 199; i++) b.dispatched("m");
    assert.equal(b.worthwhile("m"), false);
    for (let i = 0; i < 400; i++) {
      b.dispatched("m");
      if (i % 2 === 0) b.won("m");
    }
    assert.equal(b.worthwhile("m"), true);
  });
});

describe("HealthCarryover", () => {
  it("keeps a record only while a gate is closed, so reconnecting does not reset a cooldown", () => {
    const clock = new ManualClock(0);
    const c = new HealthCarryover(clock.now);
    const healthy = new ProviderHealth(clock.now);
    c.keep("ok", healthy);
    assert.equal(c.size, 0);
    const cooling = new ProviderHealth(clock.now);
    cooling.record("m", "error");
    cooling.record("m", "error");
    c.keep("bad", cooling);
    assert.equal(c.take("bad"), cooling);
    assert.equal(c.take("bad"), undefined, "taken once");
    c.keep("bad", cooling);
    clock.advance(5 * MIN);
    assert.equal(c.take("bad"), undefined, "expired with its gate");
  });
});
