import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { MemoryRegistry, type LiveProvider } from "../registry/index.js";
import { slot, testProvider } from "../test-support/live-provider.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { Admission } from "./admission.js";
import { BudgetBook } from "./budget-book.js";
import { MemoryAdmissionQueue } from "./memory-queue.js";
import type { AdmissionRequest, AdmissionResult } from "./types.js";

const MODEL = "m";
const req: AdmissionRequest = { model: MODEL, inputTokensEstimate: 10, maxTokens: 64 };

let clock: ManualClock;
let registry: MemoryRegistry;
let admission: Admission;
let a: LiveProvider;

beforeEach(() => {
  clock = new ManualClock(1_000_000);
  registry = new MemoryRegistry(() => 0, clock.now);
  admission = new Admission({ registry, queue: new MemoryAdmissionQueue(), budget: new BudgetBook(clock.now), clock, limits: { queueDepth: 3, maxWaitMs: 10_000 } });
  a = testProvider("a", MODEL);
  a.slots = new Map([[MODEL, slot(MODEL)]]); // one sequence
  registry.add(a);
});

/** Starts admission and records its result when it settles. */
interface Tracked {
  readonly result: AdmissionResult | undefined;
}
function track(r: AdmissionRequest = req, signal?: AbortSignal): Tracked {
  const box: { result: AdmissionResult | undefined } = { result: undefined };
  void admission.admit(r, signal).then((res) => (box.result = res));
  return box;
}
/** The latest result (read afresh: TypeScript would otherwise keep an earlier narrowing). */
const now = (t: Tracked): AdmissionResult | undefined => t.result;
const flush = () => new Promise<void>((r) => setImmediate(r));

describe("admission", () => {
  it("admits at once while a slot has room, holding it, so the next request waits", async () => {
    const first = await admission.admit(req);
    assert.ok(first.ok);
    assert.equal(first.grant.hold.provider, a);
    assert.equal(first.grant.waitedMs, 0);
    const second = track();
    await flush();
    assert.equal(second.result, undefined, "queued");
    assert.equal(admission.queueDepth(MODEL), 1);
  });

  it("a shutdown refuses every waiter with 503 + Retry-After instead of leaving it to be cut", async () => {
    const first = await admission.admit(req);
    assert.ok(first.ok);
    const w1 = track();
    const w2 = track();
    await flush();
    assert.equal(admission.totalQueued(), 2);
    admission.refuseAll("The coordinator is shutting down.");
    await flush();
    for (const w of [w1, w2]) {
      const r = now(w);
      assert.ok(r && !r.ok);
      assert.deepEqual({ status: r.refusal.status, reason: r.refusal.reason, retry: r.refusal.retryAfterS }, { status: 503, reason: "shutting_down", retry: 2 });
    }
    assert.equal(admission.totalQueued(), 0);
  });

  it("wakes waiters in FIFO order as capacity frees (request end), reporting the wait", async () => {
    const first = await admission.admit(req);
    assert.ok(first.ok);
    const w1 = track();
    const w2 = track();
    await flush();
    clock.advance(1_500);
    admission.release(first.grant.hold, true);
    await flush();
    assert.ok(w1.result?.ok, "the oldest waiter goes first");
    assert.equal(w1.result.grant.waitedMs, 1_500);
    assert.equal(w2.result, undefined);
    admission.release(w1.result.grant.hold, true);
    await flush();
    assert.ok(now(w2)?.ok);
    assert.equal(admission.queueDepth(MODEL), 0);
  });

  it("wakes waiters when a heartbeat shows free capacity or a provider joins", async () => {
    a.slots = new Map([[MODEL, slot(MODEL, { num_running: 1 })]]); // busy with someone else's work
    const w = track();
    await flush();
    assert.equal(w.result, undefined);
    a.slots = new Map([[MODEL, slot(MODEL)]]);
    admission.onHeartbeat(a);
    await flush();
    assert.ok(now(w)?.ok);
    const w2 = track();
    const b = testProvider("b", MODEL);
    registry.add(b);
    admission.onProviderAdded(b);
    await flush();
    const r2 = now(w2);
    assert.ok(r2?.ok);
    assert.equal(r2.grant.hold.provider, b);
  });

  it("refuses at once with 429 and Retry-After = clamp(depth × 3, 2, 30) when the queue is full", async () => {
    assert.ok((await admission.admit(req)).ok);
    for (let i = 0; i < 3; i++) track();
    await flush();
    assert.deepEqual(admission.precheck(req), {
      status: 429,
      reason: "queue_full",
      message: `${MODEL} is at capacity and its queue is full; retry later.`,
      retryAfterS: 9,
    });
    const refused = await admission.admit(req);
    assert.ok(!refused.ok);
    assert.equal(refused.refusal.status, 429);
    assert.equal(refused.refusal.retryAfterS, 9);
    assert.equal(admission.queueDepth(MODEL), 3);
  });

  it("a request that waits past the limit gets 429 and leaves the queue", async () => {
    assert.ok((await admission.admit(req)).ok);
    const w = track();
    await flush();
    clock.advance(9_999);
    await flush();
    assert.equal(w.result, undefined);
    clock.advance(1);
    await flush();
    const r = now(w);
    assert.ok(r && !r.ok);
    assert.equal(r.refusal.reason, "queue_timeout");
    assert.equal(r.refusal.status, 429);
    assert.equal(r.refusal.retryAfterS, 3);
    assert.equal(admission.queueDepth(MODEL), 0);
    assert.equal(clock.pending, 0, "no timer left behind");
  });

  it("a waiter whose consumer leaves is removed; the next one moves up", async () => {
    const first = await admission.admit(req);
    assert.ok(first.ok);
    const gone = new AbortController();
    const w1 = track(req, gone.signal);
    const w2 = track();
    await flush();
    gone.abort();
    await flush();
    assert.ok(w1.result && !w1.result.ok && w1.result.refusal.reason === "cancelled");
    assert.equal(admission.queueDepth(MODEL), 1);
    admission.release(first.grant.hold, true);
    await flush();
    assert.ok(w2.result?.ok);
    assert.equal(clock.pending, 0);
  });

  it("refuses at once when the expected wait exceeds the limit", async () => {
    const g = await admission.admit(req);
    assert.ok(g.ok);
    clock.advance(4_000);
    admission.release(g.grant.hold, true); // service time 4 s on one sequence
    const busy = await admission.admit(req);
    assert.ok(busy.ok);
    track();
    track(); // expected waits: 4 s, 8 s
    await flush();
    const third = await admission.admit(req); // would wait ~12 s > 10 s
    assert.ok(!third.ok);
    assert.equal(third.refusal.reason, "wait_too_long");
    assert.equal(third.refusal.retryAfterS, 6);
  });

  it("waiters get 503 when the last provider of their model leaves", async () => {
    assert.ok((await admission.admit(req)).ok);
    const w = track();
    await flush();
    registry.remove(a);
    admission.onProviderGone(a);
    await flush();
    assert.ok(w.result && !w.result.ok);
    assert.equal(w.result.refusal.status, 503);
  });

  it("precheck has no side effects", () => {
    assert.equal(admission.precheck(req), undefined);
    assert.equal(admission.precheck(req), undefined);
    assert.equal(admission.queueDepth(MODEL), 0);
  });

  it("respects the request's own candidate gate (e2e recipients)", async () => {
    const b = testProvider("b", MODEL);
    registry.add(b);
    const onlyB = { ...req, accept: (p: LiveProvider) => p.id === "b" };
    const g = await admission.admit(onlyB);
    assert.ok(g.ok);
    assert.equal(g.grant.hold.provider, b);
    const w = track(onlyB);
    await flush();
    assert.equal(w.result, undefined, "a has room but is not a recipient");
  });
});
