import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { costStrategy, leastLoadedStrategy, roundRobinStrategy } from "@darkbloom/coordinator";
import { EventLoop } from "./event-loop.js";
import { QUEUE_LIMIT } from "./queue.js";
import { simulate } from "./simulation.js";
import { makeTrace } from "./trace.js";
import type { SimProviderSpec } from "./types.js";

const base = { contextPerSlot: 4096, memoryGb: 64, failRate: 0, joinAt: 0 };
const fleet: SimProviderSpec[] = [
  { ...base, id: "fast", models: ["m"], decodeTps: 80, prefillTps: 2000, slots: 2 },
  { ...base, id: "slow", models: ["m"], decodeTps: 5, prefillTps: 100, slots: 2 },
  { ...base, id: "flaky", models: ["m"], decodeTps: 60, prefillTps: 1500, slots: 2, failRate: 0.5 },
  { ...base, id: "visitor", models: ["m"], decodeTps: 40, prefillTps: 800, slots: 2, joinAt: 20_000, leaveAt: 40_000 },
];
const trace = makeTrace({ seed: 3, durationMs: 90_000, baseRps: 0.5, bursts: [{ from: 30_000, to: 40_000, rps: 6 }], models: [{ id: "m", weight: 1 }] });

describe("routing simulator (tiny trace)", () => {
  for (const strategy of [costStrategy, roundRobinStrategy, leastLoadedStrategy]) {
    it(`${strategy().name}: every request is served, rejected (429) or failed, exactly once`, () => {
      const run = simulate({ strategy: strategy(), fleet, trace, seed: 1 });
      assert.deepEqual(run.results.map((r) => r.id), trace.map((r) => r.id));
      const s = run.summary;
      assert.equal(s.served + s.rejected + s.failed, trace.length);
      assert.ok(s.served > 0 && s.rejected > 0, "the burst overflows the queue");
      for (const r of run.results) {
        assert.ok(r.attempts <= 3, "failover is bounded");
        if (r.outcome === "served") assert.ok(r.ttftMs! >= 0 && r.doneMs! >= r.ttftMs! && r.queueMs <= 120_000);
        if (r.outcome === "rejected_429") assert.equal(r.attempts, 0);
      }
      assert.equal(run.gatedPicks, 0, "no pick of a provider with a closed gate");
      assert.ok(s.utilisation > 0 && s.utilisation <= 1);
    });
  }

  it("the cost router favours the fast provider over the slow one and never picks a gated one (the flaky one cools down)", () => {
    const run = simulate({ strategy: costStrategy(), fleet, trace, seed: 1 });
    const firstChoice = run.results.filter((r) => r.attempts > 0).map((r) => r.providers[0]);
    const count = (id: string) => firstChoice.filter((p) => p === id).length;
    assert.ok(count("fast") > count("slow"), `fast ${count("fast")} vs slow ${count("slow")}`);
    assert.ok(run.results.some((r) => r.providers.includes("flaky") && r.attempts > 1), "the flaky provider failed some over");
    assert.equal(run.gatedPicks, 0);
  });

  it("the same seed replays the same run", () => {
    const a = simulate({ strategy: costStrategy(), fleet, trace, seed: 5 });
    const b = simulate({ strategy: costStrategy(), fleet, trace, seed: 5 });
    assert.deepEqual(a.results, b.results);
  });

  it("queue limit is the SPEC's 10", () => assert.equal(QUEUE_LIMIT, 10));
});

describe("EventLoop", () => {
  it("runs events in time order, FIFO at equal times, without real waiting", () => {
    const loop = new EventLoop(0);
    const seen: string[] = [];
    loop.after(10, () => seen.push(`b@${loop.now()}`));
    loop.after(5, () => {
      seen.push(`a@${loop.now()}`);
      loop.after(5, () => seen.push(`c@${loop.now()}`));
    });
    loop.after(1e9, () => seen.push("late"));
    loop.run();
    assert.deepEqual(seen, ["a@5", "b@10", "c@10", "late"]);
  });
});
