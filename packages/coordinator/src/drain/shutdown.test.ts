import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { HttpError } from "../http/index.js";
import { createLogger } from "../log/index.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { DrainGate } from "./gate.js";
import { drainAndStop, type ShutdownDeps } from "./shutdown.js";

/** A response that closes when told (the gate only listens for 'close'). */
const fakeRes = () => new EventEmitter() as unknown as ServerResponse & EventEmitter;
const flush = () => new Promise((r) => setImmediate(r));

function setup(graceMs: number) {
  const clock = new ManualClock(0);
  const gate = new DrainGate();
  const steps: string[] = [];
  let settledResolve: () => void = () => undefined;
  const settled = new Promise<void>((r) => (settledResolve = r));
  const deps: ShutdownDeps = {
    gate,
    clock,
    logger: createLogger({ level: "silent" }),
    graceMs,
    flushMs: 1_000,
    settleWaitMs: 1_000,
    relayInFlight: () => gate.inFlight,
    relayIdle: () => Promise.resolve(),
    abortAll: () => void steps.push("abort"),
    settled: () => {
      steps.push("await settled");
      return settled;
    },
    closeEverything: async () => void steps.push("close"),
  };
  return { clock, gate, steps, deps, settledResolve };
}

describe("DrainGate", () => {
  it("admits and tracks inference until each response closes; refuses with 503 + Retry-After once draining", async () => {
    const gate = new DrainGate();
    const a = fakeRes();
    const b = fakeRes();
    gate.admit(a);
    gate.admit(b);
    assert.equal(gate.inFlight, 2);
    assert.equal(gate.start("admin"), true);
    assert.equal(gate.start("signal"), false, "one drain only");
    assert.equal(gate.reason, "admin");
    assert.throws(
      () => gate.admit(fakeRes()),
      (err: unknown) => err instanceof HttpError && err.status === 503 && err.code === "shutting_down" && err.headers["retry-after"] === "2" && err.closeConnection,
    );
    let idle = false;
    void gate.whenIdle().then(() => (idle = true));
    a.emit("close");
    await flush();
    assert.equal(idle, false);
    b.emit("close");
    await flush();
    assert.equal(idle, true);
    assert.equal(gate.inFlight, 0);
  });
});

describe("drainAndStop", () => {
  it("requests that finish within the grace are not aborted; settlements are awaited before closing", async () => {
    const { gate, steps, deps, settledResolve } = setup(10_000);
    const res = fakeRes();
    gate.admit(res);
    const done = drainAndStop(deps, "signal");
    await flush();
    assert.ok(gate.draining);
    res.emit("close");
    await flush();
    assert.deepEqual(steps, ["await settled"]);
    settledResolve();
    assert.deepEqual(await done, { reason: "signal", finishedInGrace: true, aborted: 0 });
    assert.deepEqual(steps, ["await settled", "close"]);
  });

  it("after the grace the rest are aborted, given a flush window, then everything closes (bounded waits)", async () => {
    const { clock, gate, steps, deps } = setup(500);
    gate.admit(fakeRes()); // never closes: the flush window and the settle wait are both bounded
    const done = drainAndStop(deps, "admin");
    await flush();
    clock.advance(499);
    await flush();
    assert.deepEqual(steps, []);
    clock.advance(1);
    await flush();
    assert.deepEqual(steps, ["abort"]);
    clock.advance(1_000);
    await flush();
    assert.deepEqual(steps, ["abort", "await settled"]);
    clock.advance(1_000);
    assert.deepEqual(await done, { reason: "admin", finishedInGrace: false, aborted: 1 });
    assert.deepEqual(steps, ["abort", "await settled", "close"]);
  });

  it("with nothing in flight it stops at once", async () => {
    const { steps, deps, settledResolve } = setup(60_000);
    settledResolve();
    assert.deepEqual(await drainAndStop(deps, "signal"), { reason: "signal", finishedInGrace: true, aborted: 0 });
    assert.deepEqual(steps, ["await settled", "close"]);
  });
});
