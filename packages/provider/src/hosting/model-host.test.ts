import assert from "node:assert/strict";
import { test } from "node:test";
import type { LoadModelStatusFrame } from "@darkbloom/protocol";
import type { EngineCapacity } from "../engine/index.js";
import { GIB, defaultPolicy } from "../memory/index.js";
import type { HostedEngine } from "../serve/types.js";
import { ModelHost } from "./model-host.js";
import type { OfferedModel } from "./types.js";

/** Engines stand-ins: the host only reads capacity() and calls close(). */
function fakeEngine(id: string, state: { running: number; closed: boolean }): HostedEngine {
  const capacity = (): EngineCapacity => ({
    model: id, state: state.running > 0 ? "running" : "idle", numRunning: state.running, numWaiting: 0, maxConcurrency: 2,
    observedDecodeTps: 12.5, observedAggregateDecodeTps: 20, observedPrefillTps: 300, activeTokenBudgetUsed: 0,
    activeTokenBudgetMax: 4096, queuedTokenBudget: 0, queueLimit: 10, contextSize: 2048,
  });
  return {
    modelId: id,
    capacity,
    close: async () => void (state.closed = true),
    describe: () => { throw new Error("unused"); },
    generate: () => { throw new Error("unused"); },
    maxCompletionTokens: () => 0,
    promptTokens: () => 0,
  };
}

const offered = (id: string, gb: number, preload = true): OfferedModel => ({
  id, path: `/models/${id}.gguf`, kvBytes: 0, preload,
  description: { id, size_bytes: gb * GIB, quantization: "F16", context_length: 2048, template_render_ok: true },
});

function setup(models: OfferedModel[], ramGb = 64, loadFails = new Set<string>()) {
  const engines = new Map<string, { running: number; closed: boolean }>();
  const frames: LoadModelStatusFrame[] = [];
  const loads: string[] = [];
  let clock = 1000;
  const host = new ModelHost({
    offered: models,
    policy: defaultPolicy(ramGb * GIB),
    parallel: 2,
    log: () => {},
    now: () => clock++,
    load: async (m) => {
      loads.push(m.id);
      if (loadFails.has(m.id)) throw new Error("bad weights\nstack");
      const st = { running: 0, closed: false };
      engines.set(m.id, st);
      return fakeEngine(m.id, st);
    },
  });
  host.setStatusSink((f) => frames.push(f));
  return { host, engines, frames, loads };
}

test("preloads the preload models, offers the rest cold (no slot), and a request loads a cold model", async () => {
  const { host, frames, loads } = setup([offered("a", 1), offered("b", 1, false)]);
  await host.preload();
  assert.deepEqual(loads, ["a"]);
  assert.deepEqual(host.describe().map((m) => m.id), ["a", "b"]);
  assert.deepEqual(host.slots().map((s) => [s.model, s.state]), [["a", "idle"]]);
  const lease = await host.acquire("b");
  assert.ok(lease.ok);
  assert.deepEqual(loads, ["a", "b"]);
  assert.deepEqual(frames.map((f) => `${f.model}:${f.state}`), ["a:loading", "a:loaded", "b:loading", "b:loaded"]);
  lease.release();
  const missing = await host.acquire("zzz");
  assert.equal(missing.ok, false);
  assert.equal(missing.ok ? "" : missing.code, "model_not_found");
});

test("at most 3 loaded: the least recently used idle model is evicted, reported idle_shutdown with its last speeds", async () => {
  const { host, engines } = setup([offered("a", 1), offered("b", 1), offered("c", 1), offered("d", 1, false)]);
  await host.preload();
  // a and c were used after b: b is the least recently used.
  for (const id of ["a", "c"]) {
    const lease = await host.acquire(id);
    assert.ok(lease.ok);
    lease.release();
  }
  const d = await host.acquire("d");
  assert.ok(d.ok);
  assert.equal(engines.get("b")?.closed, true);
  assert.equal(host.stateOf("b"), "unloaded");
  const b = host.slots().find((s) => s.model === "b");
  assert.equal(b?.state, "idle_shutdown");
  assert.equal(b?.observed_decode_tps, 12.5);
  assert.equal(b?.num_running, 0);
  assert.equal(host.loaded().size, 3);
});

test("a model with running sequences or a held lease is never evicted; with all three busy the load fails cleanly", async () => {
  const { host, engines, frames } = setup([offered("a", 1), offered("b", 1), offered("c", 1), offered("d", 1, false)]);
  await host.preload();
  engines.get("a")!.running = 1;
  const leaseB = await host.acquire("b");
  const leaseC = await host.acquire("c");
  assert.ok(leaseB.ok && leaseC.ok);
  const d = await host.acquire("d");
  assert.equal(d.ok, false);
  assert.equal(d.ok ? undefined : d.code, "overloaded");
  assert.equal(d.ok ? undefined : d.retryable, true);
  assert.match(d.ok ? "" : d.message, /3 models are loaded and none is idle/);
  assert.deepEqual([...engines.values()].map((e) => e.closed), [false, false, false]);
  assert.equal(frames.at(-1)?.state, "failed");
  // The lease ends: c becomes the evictable one (a still runs, b is held).
  leaseC.release();
  const again = await host.acquire("d");
  assert.ok(again.ok);
  assert.equal(engines.get("c")?.closed, true);
  assert.equal(engines.get("a")?.closed, false);
});

test("the memory gate refuses a load with its arithmetic; free_for_load shrinks as models load", async () => {
  // 16 GiB RAM: cap 14 GiB. a (6 GiB) + 3 + 1 = 10 fits; then b (6 GiB) needs 6 + 6 + 4 = 16 > 14: a is idle, so evicted.
  const { host, engines, frames } = setup([offered("a", 6), offered("b", 6, false), offered("huge", 11, false)], 16);
  const before = host.freeForLoadGb();
  await host.preload();
  assert.equal(before, 10);
  assert.equal(host.freeForLoadGb(), 4);
  engines.get("a")!.running = 1;
  const b = await host.acquire("b");
  assert.equal(b.ok, false);
  assert.match(b.ok ? "" : b.message, /not enough memory while a is busy: memory gate: 6\.00 GiB resident \+ 6\.00 GiB weights/);
  const huge = await host.load("huge", "coordinator");
  assert.deepEqual(huge, { ok: false, reason: frames.at(-1)?.reason });
  assert.match(frames.at(-1)?.reason ?? "", /^memory gate: 0\.00 GiB resident \+ 11\.00 GiB weights .* > cap 14\.00 GiB/);
  assert.equal(host.stateOf("huge"), "cold");
  engines.get("a")!.running = 0;
  assert.ok((await host.acquire("b")).ok);
  assert.equal(engines.get("a")?.closed, true);
});

test("unload_model: idle unloads (idle_shutdown), busy refuses with a reason, cold is already unloaded", async () => {
  const { host, engines, frames } = setup([offered("a", 1), offered("b", 1, false)]);
  await host.preload();
  const lease = await host.acquire("a");
  assert.deepEqual(await host.unload("a"), { ok: false, reason: "model a has requests running" });
  assert.ok(lease.ok);
  lease.release();
  assert.deepEqual(await host.unload("a"), { ok: true });
  assert.equal(engines.get("a")?.closed, true);
  assert.equal(frames.at(-1)?.state, "unloaded");
  assert.deepEqual(host.slots().map((s) => [s.model, s.state]), [["a", "idle_shutdown"]]);
  assert.deepEqual(await host.unload("b"), { ok: true });
  // Loaded again on demand.
  assert.ok((await host.acquire("a")).ok);
  assert.equal(host.stateOf("a"), "loaded");
});

test("a failed load is reported with a one-line reason and leaves the model as it was; concurrent requests share one load", async () => {
  const { host, frames, loads } = setup([offered("a", 1, false), offered("bad", 1, false)], 64, new Set(["bad"]));
  const [x, y] = await Promise.all([host.acquire("a"), host.acquire("a")]);
  assert.ok(x.ok && y.ok);
  assert.deepEqual(loads, ["a"]);
  const out = await host.load("bad", "coordinator");
  assert.deepEqual(out, { ok: false, reason: "loading failed: bad weights" });
  assert.equal(frames.at(-1)?.state, "failed");
  assert.equal(host.stateOf("bad"), "cold");
});

test("models evicted together are taken out of service at once: a request during a slow close cannot lease a victim", async () => {
  // 16 GiB RAM, cap 14: a, b, c (3 GiB each) + 4 reserve = 13; d (6 GiB) needs two of them gone.
  const closing: (() => void)[] = [];
  const closed: string[] = [];
  const host = new ModelHost({
    offered: [offered("a", 3), offered("b", 3), offered("c", 3), offered("d", 6, false)],
    policy: defaultPolicy(16 * GIB),
    parallel: 2,
    log: () => {},
    load: async (m) => {
      const engine = fakeEngine(m.id, { running: 0, closed: false });
      return { ...engine, close: () => new Promise<void>((resolve) => closing.push(() => (closed.push(m.id), resolve()))) };
    },
  });
  await host.preload();
  const loadD = host.acquire("d");
  await new Promise((r) => setImmediate(r));
  // a and b are being closed (LRU); neither can be leased now.
  assert.equal(host.stateOf("a"), "unloaded");
  assert.equal(host.stateOf("b"), "unloaded");
  const duringClose = host.acquire("b");
  // Closes finish one after another: keep completing them until the promise settles.
  const pump = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    void p.finally(() => (done = true));
    while (!done) {
      while (closing.length > 0) closing.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    return p;
  };
  const d = await pump(loadD);
  assert.ok(d.ok);
  d.release();
  const b = await pump(duringClose);
  assert.ok(b.ok, "b is loaded again (after a, b closed), not leased while closing");
  assert.deepEqual(closed.slice(0, 2), ["a", "b"]);
});
