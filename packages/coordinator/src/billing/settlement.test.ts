import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createLogger } from "../log/index.js";
import { openStore, type DeliveryInput, type SettleInput, type Store } from "../store/index.js";
import { manualClock, type ManualClock } from "../test-support/manual-clock.js";
import { DeliveryCheckpoints } from "./delivery-checkpoint.js";
import { Meter } from "./meter.js";
import { FALLBACK_PRICE, costMicros } from "./pricing.js";
import { startReservationSweeper } from "./sweeper.js";

let store: Store;
let clock: ManualClock;
let logs: Record<string, unknown>[];
let account: string;

beforeEach(async () => {
  clock = manualClock();
  logs = [];
  store = await openStore({ engine: "sqlite", memory: true }, { now: clock.now });
  account = (await store.createAccount({ label: "t" })).id;
  await store.credit({ accountId: account, amountMicros: 10_000_000, idempotencyKey: "seed", kind: "grant" });
});
afterEach(() => store.close());

const logger = () => createLogger({ level: "debug", write: (l) => void logs.push(JSON.parse(l) as Record<string, unknown>) });
const balanced = async () => assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
const settledOnce = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe("Meter", () => {
  it("never charges above the reservation", async () => {
    const meter = new Meter(store, { clock, logger: logger() });
    const r = await meter.reserve("q1", account, "m", 10, 5);
    assert.ok(r.ok);
    const result = await meter.settle({ requestId: "q1", model: "m", usage: { promptTokens: 1e9, completionTokens: 1e9 }, providerId: "p", outcome: "completed", reservedMicros: r.reservedMicros });
    assert.equal(result?.chargedMicros, r.reservedMicros);
    assert.deepEqual(await store.getBalance(account), { availableMicros: 10_000_000 - r.reservedMicros, heldMicros: 0 });
    await balanced();
  });

  it("retries a failed settle in the background, then leaves it to the sweeper", async () => {
    let failures = 2;
    const flaky: Store = Object.assign(Object.create(store) as Store, {
      settle: (input: SettleInput) => (failures-- > 0 ? Promise.reject(new Error("database is locked")) : store.settle(input)),
    });
    const meter = new Meter(flaky, { clock, logger: logger(), retryDelaysMs: [100, 100] });
    const r = await meter.reserve("q2", account, "m", 10, 5);
    assert.ok(r.ok);
    const first = await meter.settle({ requestId: "q2", model: "m", usage: { promptTokens: 10, completionTokens: 5 }, providerId: null, outcome: "completed", reservedMicros: r.reservedMicros });
    assert.equal(first, null);
    assert.ok(meter.isOpen("q2"), "still settling: the sweeper keeps off");
    clock.advance(100);
    await settledOnce();
    assert.equal((await store.getRequest("q2"))?.state, "reserved");
    clock.advance(100);
    await settledOnce();
    assert.equal((await store.getRequest("q2"))?.state, "completed");
    assert.equal(meter.isOpen("q2"), false);
    await balanced();

    failures = 99;
    const r3 = await meter.reserve("q3", account, "m", 10, 5);
    assert.ok(r3.ok);
    await meter.settle({ requestId: "q3", model: "m", usage: null, providerId: null, outcome: "failed", reservedMicros: r3.reservedMicros });
    clock.advance(100);
    await settledOnce();
    clock.advance(100);
    await settledOnce();
    assert.equal(meter.isOpen("q3"), false, "given up: the sweeper owns it now");
    assert.ok(logs.some((l) => l.msg === "settlement failed; the reservation sweeper will settle it" && l.internal_id === "q3"));
  });
});

describe("DeliveryCheckpoints", () => {
  it("writes the first delivery at once, then at most once per interval, never per token", async () => {
    const writes: DeliveryInput[] = [];
    const cp = new DeliveryCheckpoints({ recordDelivery: async (d) => void writes.push(d) }, clock, logger(), 1_000);
    const d = (n: number) => ({ requestId: "r", promptTokens: 7, completionTokens: n, providerId: "p" });
    cp.update(d(1));
    for (let n = 2; n <= 50; n++) cp.update(d(n));
    assert.deepEqual(writes.map((w) => w.completionTokens), [1]);
    clock.advance(999);
    assert.equal(writes.length, 1);
    clock.advance(1);
    assert.deepEqual(writes.map((w) => w.completionTokens), [1, 50]);
    cp.update(d(60));
    clock.advance(1_000);
    assert.deepEqual(writes.map((w) => w.completionTokens), [1, 50, 60]);
    clock.advance(1_000); // nothing new: the entry goes quiet
    assert.equal(cp.size, 0);
    cp.update(d(61));
    cp.update(d(62));
    cp.done("r");
    clock.advance(5_000);
    assert.deepEqual(writes.map((w) => w.completionTokens), [1, 50, 60, 61], "nothing is written after the request settled");
  });
});

describe("reservation sweeper", () => {
  it("settles stale holds from their checkpoint or releases them, once, and leaves live ones alone", async () => {
    const meter = new Meter(store, { clock, logger: logger() });
    const held = (id: string) => store.reserve({ requestId: id, accountId: account, amountMicros: 50_000, model: "m" });
    await held("crashed-mid-stream");
    await held("crashed-before-output");
    await store.recordDelivery({ requestId: "crashed-mid-stream", promptTokens: 40, completionTokens: 300, providerId: "p1" });
    const live = await meter.reserve("live", account, "m", 10, 10);
    assert.ok(live.ok);
    clock.advance(10_000);
    await held("young");

    const sweeper = startReservationSweeper({ store, meter, clock, logger: logger(), maxAgeMs: 6_000, everyMs: 60_000 });
    await sweeper.sweep(); // the start-up sweep
    assert.equal(logs.filter((l) => l.msg === "settled an expired reservation").length, 2);
    const mid = await store.getRequest("crashed-mid-stream");
    assert.equal(mid?.state, "expired");
    assert.equal(mid?.chargedMicros, costMicros(FALLBACK_PRICE, 40, 300));
    assert.equal(mid?.completionTokens, 300);
    const none = await store.getRequest("crashed-before-output");
    assert.equal(none?.state, "expired");
    assert.equal(none?.chargedMicros, 0);
    assert.equal((await store.getRequest("live"))?.state, "reserved", "this process is still serving it");
    assert.equal((await store.getRequest("young"))?.state, "reserved");
    assert.equal(await sweeper.sweep(), 0, "idempotent");

    clock.advance(7_000); // "young" is stale now, and "live" twice the limit: nothing stays held forever
    await sweeper.sweep();
    assert.equal((await store.getRequest("young"))?.state, "expired");
    assert.equal((await store.getRequest("live"))?.state, "expired");
    assert.equal((await store.getBalance(account)).heldMicros, 0);
    await balanced();
    await sweeper.stop();
  });

  it("sweeps at start and then periodically", async () => {
    const meter = new Meter(store, { clock, logger: logger() });
    await store.reserve({ requestId: "old", accountId: account, amountMicros: 1_000, model: "m" });
    clock.advance(2_000);
    const sweeper = startReservationSweeper({ store, meter, clock, logger: logger(), maxAgeMs: 1_000, everyMs: 500 });
    await settledOnce();
    assert.equal((await store.getRequest("old"))?.state, "expired", "the start-up sweep");
    await store.reserve({ requestId: "later", accountId: account, amountMicros: 1_000, model: "m" });
    let sweeps = 0;
    while ((await store.getRequest("later"))?.state === "reserved" && sweeps++ < 10) {
      clock.advance(500);
      await settledOnce();
    }
    assert.equal((await store.getRequest("later"))?.state, "expired", "a periodic sweep");
    assert.ok(sweeps >= 2, "not before it was older than the limit");
    await sweeper.stop();
    assert.equal(clock.pending, 0);
  });
});
