import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createLogger } from "../log/index.js";
import { openStore, type Store } from "../store/index.js";
import { manualClock } from "../test-support/manual-clock.js";
import { Meter, type MeterDeps } from "./meter.js";
import { PriceBook } from "./price-book.js";
import type { PricedCandidate } from "./prices.js";
import { FALLBACK_PRICE, MIN_CHARGE_MICROS, costMicros, worstCaseMicros } from "./pricing.js";
import { percentToBps } from "./split.js";
import { startReservationSweeper } from "./sweeper.js";

/** The Meter against a real store: who pays what to whom, per request. */
let store: Store;
let consumer: string;
let owner: string;
let referrer: string;
const clock = manualClock();
const logger = createLogger({ level: "silent" });

beforeEach(async () => {
  store = await openStore({ engine: "sqlite", memory: true }, { now: clock.now });
  [consumer, owner, referrer] = [(await store.createAccount({})).id, (await store.createAccount({})).id, (await store.createAccount({})).id];
  await store.credit({ accountId: consumer, amountMicros: 10_000_000, idempotencyKey: "seed", kind: "grant" });
  await store.credit({ accountId: owner, amountMicros: 1_000, idempotencyKey: "seed-owner", kind: "grant" });
});
afterEach(() => store.close());

const models = (ctx = 4096) => new Map([["m", { context_length: ctx }]]);
const provider = (over: Partial<PricedCandidate> = {}): PricedCandidate => ({ id: "p1", ownerAccountId: owner, models: models(), ...over });
const meter = (deps: Partial<MeterDeps> = {}) =>
  new Meter(store, { clock, logger, split: { platformFeeBps: percentToBps(10), referralShareBps: percentToBps(20) }, ...deps });

async function clean(): Promise<void> {
  assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  const audit = await store.auditRequests();
  assert.deepEqual(audit.problems, []);
  assert.equal(audit.heldMicros, 0);
}

const reserveReq = (candidates: PricedCandidate[], over: Partial<{ maxTokens: number; maxTokensExplicit: boolean; consumerAccountId: string }> = {}) => ({
  consumerAccountId: consumer,
  model: "m",
  promptTokenCap: 1_000,
  promptEstimate: 250,
  maxTokens: 100,
  maxTokensExplicit: true,
  candidates,
  ...over,
});

describe("Meter settlement split", () => {
  it("consumer's debit == owner's earnings + platform fee + referral share, at the serving provider's price", async () => {
    const m = meter({ referrerOf: async (a) => (a === consumer ? referrer : null) });
    const p = provider({ prices: new Map([["m", { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 }]]) });
    const r = await m.reserveFor("q1", reserveReq([p]));
    assert.ok(r.ok);
    const res = await m.settle({ requestId: "q1", model: "m", usage: { promptTokens: 900, completionTokens: 50 }, providerId: p.id, provider: p, outcome: "completed", reservedMicros: r.reservedMicros });
    const charge = 900 + 100; // 900 × $1/M + 50 × $2/M = 1000 µUSD
    assert.equal(res?.chargedMicros, charge);
    assert.deepEqual(await store.getEarnings(owner), { earningsMicros: 900, referralMicros: 0 });
    assert.deepEqual(await store.getEarnings(referrer), { earningsMicros: 0, referralMicros: 20 });
    const before = 10_000_000;
    assert.equal((await store.getBalance(consumer)).availableMicros, before - charge);
    await clean();
  });

  it("without a referrer (the default seam) the platform keeps the whole fee", async () => {
    const m = meter();
    const r = await m.reserveFor("q2", reserveReq([provider()], { maxTokens: 10_000 }));
    assert.ok(r.ok);
    await m.settle({ requestId: "q2", model: "m", usage: { promptTokens: 1_000, completionTokens: 10_000 }, providerId: "p1", provider: provider(), outcome: "completed", reservedMicros: r.reservedMicros });
    const charge = costMicros(FALLBACK_PRICE, 1_000, 10_000);
    assert.equal(charge, 2_050);
    assert.deepEqual(await store.getEarnings(owner), { earningsMicros: charge - Math.floor(charge / 10), referralMicros: 0 });
    await clean();
  });

  it("a request served by the consumer's own provider costs nothing and holds nothing", async () => {
    const m = meter();
    const own = provider({ ownerAccountId: consumer });
    const r = await m.reserveFor("q3", reserveReq([own]));
    assert.deepEqual(r, { ok: true, reservedMicros: 0, replay: false });
    const res = await m.settle({ requestId: "q3", model: "m", usage: { promptTokens: 500, completionTokens: 50 }, providerId: own.id, provider: own, outcome: "completed", reservedMicros: 0 });
    assert.equal(res?.chargedMicros, 0);
    // Even a held request (another candidate was someone else's) is free when the own provider serves it.
    const r2 = await m.reserveFor("q4", reserveReq([own, provider({ id: "p2" })]));
    assert.ok(r2.ok && r2.reservedMicros > 0);
    await m.settle({ requestId: "q4", model: "m", usage: { promptTokens: 500, completionTokens: 50 }, providerId: own.id, provider: own, outcome: "completed", reservedMicros: r2.reservedMicros });
    assert.equal((await store.getRequest("q4"))?.chargedMicros, 0);
    assert.equal((await store.getBalance(consumer)).availableMicros, 10_000_000);
    await clean();
  });

  it("a tiny request pays the minimum charge, split like any other; an unlinked provider's share is unclaimed", async () => {
    const m = meter();
    const unlinked = provider({ ownerAccountId: null });
    const r = await m.reserveFor("q5", reserveReq([unlinked]));
    assert.ok(r.ok);
    const res = await m.settle({ requestId: "q5", model: "m", usage: { promptTokens: 1, completionTokens: 1 }, providerId: "p1", provider: unlinked, outcome: "completed", reservedMicros: r.reservedMicros });
    assert.equal(res?.chargedMicros, MIN_CHARGE_MICROS);
    assert.deepEqual(await store.getEarnings(owner), { earningsMicros: 0, referralMicros: 0 });
    await clean();
  });

  it("reserves at the highest candidate price and settles at the serving provider's (owner price, platform price)", async () => {
    const prices = new PriceBook(store);
    await prices.set({ ownerAccountId: owner, model: "m", inputPerMillion: 500_000, outputPerMillion: 900_000 });
    await prices.set({ ownerAccountId: null, model: "m", inputPerMillion: 10_000, outputPerMillion: 20_000 });
    const m = meter({ prices });
    const cheap = provider({ id: "cheap", ownerAccountId: null });
    const dear = provider({ id: "dear" });
    const r = await m.reserveFor("q6", reserveReq([cheap, dear]));
    assert.ok(r.ok);
    assert.equal(r.reservedMicros, worstCaseMicros({ inputPerMillion: 500_000, outputPerMillion: 900_000 }, 1_000, 100));
    const res = await m.settle({ requestId: "q6", model: "m", usage: { promptTokens: 1_000, completionTokens: 100 }, providerId: "cheap", provider: cheap, outcome: "completed", reservedMicros: r.reservedMicros });
    assert.equal(res?.chargedMicros, costMicros({ inputPerMillion: 10_000, outputPerMillion: 20_000 }, 1_000, 100));
    await clean();
  });

  it("without max_tokens the hold covers min(8192, context − input) completion tokens", async () => {
    const m = meter();
    const r = await m.reserveFor("q7", reserveReq([provider({ models: models(1_024) })], { maxTokens: 8192, maxTokensExplicit: false }));
    assert.ok(r.ok);
    assert.equal(r.reservedMicros, worstCaseMicros(FALLBACK_PRICE, 1_000, 1_024 - 250));
  });

  it("the sweeper pays a swept request's provider owner from the delivery checkpoint", async () => {
    const m = meter();
    const r = await m.reserveFor("q8", reserveReq([provider()]));
    assert.ok(r.ok);
    await store.recordDelivery({ requestId: "q8", promptTokens: 100, completionTokens: 10, providerId: "gone", providerAccountId: owner });
    const fresh = meter(); // a new process: the request is not open here and the provider is gone
    clock.advance(10_000);
    const sweeper = startReservationSweeper({ store, meter: fresh, clock, logger, maxAgeMs: 1_000, everyMs: 60_000 });
    assert.equal(await sweeper.sweep(), 1);
    await sweeper.stop();
    const charge = costMicros(FALLBACK_PRICE, 100, 10);
    assert.equal((await store.getRequest("q8"))?.chargedMicros, charge);
    assert.equal((await store.getEarnings(owner)).earningsMicros, charge - Math.floor(charge / 10));
    await clean();
  });

  it("a referrer lookup that fails is retried like any settle failure", async () => {
    let calls = 0;
    const m = meter({
      retryDelaysMs: [10],
      referrerOf: async () => {
        if (calls++ === 0) throw new Error("accounts store down");
        return referrer;
      },
    });
    const r = await m.reserveFor("q9", reserveReq([provider()]));
    assert.ok(r.ok);
    const first = await m.settle({ requestId: "q9", model: "m", usage: { promptTokens: 10_000, completionTokens: 10_000 }, providerId: "p1", provider: provider(), outcome: "completed", reservedMicros: r.reservedMicros });
    assert.equal(first, null);
    clock.advance(10);
    for (let i = 0; i < 50 && (await store.getRequest("q9"))?.state === "reserved"; i++) await new Promise((res) => setImmediate(res));
    assert.equal((await store.getRequest("q9"))?.state, "completed");
    assert.ok((await store.getEarnings(referrer)).referralMicros > 0);
    await clean();
  });
});
