import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { LedgerModel } from "../test-support/ledger-model.js";
import { rng, type Rng } from "../test-support/prng.js";
import type { SettledState, Store } from "./types.js";

/**
 * Ledger properties every engine must keep, run by each engine's *.test.ts with a factory that
 * returns a fresh, migrated, empty store. Random sequences are seeded: a failure names its seed,
 * and DARKBLOOM_LEDGER_SEED=<n> replays exactly that sequence.
 */
export function ledgerSuite(name: string, factory: () => Promise<Store>): void {
  const seeds = process.env.DARKBLOOM_LEDGER_SEED ? [Number(process.env.DARKBLOOM_LEDGER_SEED)] : [1, 2, 3, 0x5eed];

  describe(`Ledger properties: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    for (const seed of seeds) {
      it(`random reserve/settle/cancel/fail/credit sequences keep the books (seed ${seed})`, async () => {
        await sequentialProperty(store, seed, 160);
      });
    }

    it("random operations run concurrently keep the books (seed 7)", async () => {
      await concurrentProperty(store, 7, 12, 12);
    });

    it("200 parallel reserve+settle on one account lose no update", async () => {
      const acct = await store.createAccount({ label: "hot" });
      const n = 200;
      const r = rng(42);
      const charges = Array.from({ length: n }, () => r.int(0, 1_000));
      await store.credit({ accountId: acct.id, amountMicros: n * 1_000, idempotencyKey: "hot-seed", kind: "grant" });
      await Promise.all(
        charges.map(async (charge, i) => {
          const res = await store.reserve({ requestId: `hot-${i}`, accountId: acct.id, amountMicros: 1_000, model: "m" });
          assert.equal(res.ok, true);
          const s = await store.settle({ requestId: `hot-${i}`, chargeMicros: charge, promptTokens: 1, completionTokens: 1, providerId: "p", outcome: "completed" });
          assert.equal(s.replay, false);
        }),
      );
      const spent = charges.reduce((a, b) => a + b, 0);
      assert.deepEqual(await store.getBalance(acct.id), { availableMicros: n * 1_000 - spent, heldMicros: 0 });
      assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
    });

    it("100 parallel reservations against a balance for 37 admit exactly 37", async () => {
      const acct = await store.createAccount({ label: "scarce" });
      await store.credit({ accountId: acct.id, amountMicros: 37 * 500, idempotencyKey: "scarce-seed", kind: "grant" });
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.reserve({ requestId: `sc-${i}`, accountId: acct.id, amountMicros: 500, model: "m" })),
      );
      assert.equal(results.filter((x) => x.ok).length, 37);
      assert.deepEqual(await store.getBalance(acct.id), { availableMicros: 0, heldMicros: 37 * 500 });
      assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
    });
  });
}

const OUTCOMES: readonly SettledState[] = ["completed", "cancelled", "failed", "expired"];

/** One step at a time, each checked against the in-memory model. */
async function sequentialProperty(store: Store, seed: number, steps: number): Promise<void> {
  const r = rng(seed);
  const model = new LedgerModel();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const a = await store.createAccount({ label: `p${i}` });
    model.addAccount(a.id);
    ids.push(a.id);
  }
  let reqN = 0;
  for (let step = 0; step < steps; step++) {
    const where = `seed ${seed}, step ${step}`;
    const op = r.int(0, 99);
    const accountId = r.pick(ids);
    if (op < 20) {
      // credit, sometimes replaying an earlier idempotency key
      const key = model.creditKeys.size > 0 && r.chance(0.2) ? r.pick([...model.creditKeys]) : `c${step}`;
      const amount = r.int(0, 5_000);
      const expected = model.credit(accountId, key, amount); // a replay changes nothing, whoever asks
      assert.deepEqual(await store.credit({ accountId, amountMicros: amount, idempotencyKey: key, kind: "grant" }), expected, where);
    } else if (op < 55) {
      const replay = model.requests.size > 0 && r.chance(0.1);
      const requestId = replay ? r.pick([...model.requests.keys()]) : `q${reqN++}`;
      const amount = r.int(0, 4_000);
      const owner = replay ? model.requests.get(requestId)!.accountId : accountId;
      const before = model.accounts.get(owner)!.available;
      const expected = model.reserve(requestId, owner, amount);
      const got = await store.reserve({ requestId, accountId: owner, amountMicros: amount, model: "m" });
      if (expected === null) assert.deepEqual(got, { ok: false, reason: "insufficient_balance", availableMicros: before }, where);
      else assert.deepEqual(got, { ok: true, reservedMicros: expected.reserved, replay: expected.replay }, where);
    } else if (op < 95) {
      // settle: completed / cancelled / failed / expired, at most the hold (sometimes asked for more)
      const open = model.open();
      const settled = model.settled();
      const requestId = open.length > 0 && !(settled.length > 0 && r.chance(0.1)) ? r.pick(open) : settled.length > 0 ? r.pick(settled) : null;
      if (requestId === null) continue;
      const outcome = r.pick(OUTCOMES);
      const reserved = model.requests.get(requestId)!.reserved;
      const charge = outcome === "failed" && r.chance(0.5) ? 0 : r.int(0, Math.ceil(reserved * 1.3));
      const expected = model.settle(requestId, charge, outcome);
      const got = await store.settle({ requestId, chargeMicros: charge, promptTokens: 1, completionTokens: 1, providerId: "p", outcome });
      assert.equal(got.replay, expected.replay, where);
      assert.equal(got.chargedMicros, expected.charged, where);
      assert.equal(got.refundedMicros, expected.refunded, where);
    } else {
      await assert.rejects(
        store.settle({ requestId: `ghost${step}`, chargeMicros: 1, promptTokens: 0, completionTokens: 0, providerId: null, outcome: "completed" }),
        where,
      );
    }
    const b = await store.getBalance(accountId);
    const m = model.accounts.get(accountId)!;
    assert.deepEqual(b, { availableMicros: m.available, heldMicros: m.held }, `balance drifted from the model at ${where}`);
    assert.ok(b.availableMicros >= 0 && b.heldMicros >= 0, `negative balance at ${where}`);
    if (step % 40 === 39) await assertBooks(store, model, ids, where);
  }
  await assertBooks(store, model, ids, `seed ${seed}, end`);
  for (const [requestId, m] of model.requests) {
    const rec = await store.getRequest(requestId);
    assert.equal(rec?.state, m.state, `${requestId} (seed ${seed})`);
    assert.equal(rec?.chargedMicros ?? 0, m.charged, `${requestId} (seed ${seed})`);
  }
}

/** Zero-sum postings, balanced entries, no drift, every account non-negative and equal to the model. */
async function assertBooks(store: Store, model: LedgerModel, ids: readonly string[], where: string): Promise<void> {
  assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 }, where);
  let total = 0;
  for (const id of ids) {
    const b = await store.getBalance(id);
    const m = model.accounts.get(id)!;
    assert.deepEqual(b, { availableMicros: m.available, heldMicros: m.held }, `${id} at ${where}`);
    assert.ok(b.availableMicros >= 0 && b.heldMicros >= 0, `${id} negative at ${where}`);
    total += b.availableMicros + b.heldMicros;
  }
  assert.equal(total + model.revenue, model.credited, `money created or destroyed at ${where}`);
}

/**
 * Batches of random operations in parallel (order inside a batch is up to the engine), checked by
 * invariants that hold in any order: zero-sum, no drift, nothing negative, money conserved.
 */
async function concurrentProperty(store: Store, seed: number, batches: number, perBatch: number): Promise<void> {
  const r: Rng = rng(seed);
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) ids.push((await store.createAccount({ label: `cc${i}` })).id);
  let credited = 0;
  let charged = 0;
  let reqN = 0;
  const live: string[] = [];
  for (let b = 0; b < batches; b++) {
    const ops: Promise<void>[] = [];
    const settling = new Set<string>();
    for (let k = 0; k < perBatch; k++) {
      const accountId = r.pick(ids);
      const op = r.int(0, 9);
      if (op < 2) {
        const amount = r.int(0, 3_000);
        const key = `cc-${b}-${k}`;
        ops.push(store.credit({ accountId, amountMicros: amount, idempotencyKey: key, kind: "grant" }).then(() => void (credited += amount)));
      } else if (op < 6 || live.length === 0) {
        const requestId = `cq${reqN++}`;
        ops.push(
          store.reserve({ requestId, accountId, amountMicros: r.int(0, 2_000), model: "m" }).then((res) => {
            if (res.ok) live.push(requestId);
          }),
        );
      } else {
        // a request may be settled twice in one batch (a racing completion and sweeper): once only
        const requestId = r.pick(live);
        settling.add(requestId);
        const charge = r.int(0, 2_500);
        ops.push(
          store
            .settle({ requestId, chargeMicros: charge, promptTokens: 1, completionTokens: 1, providerId: "p", outcome: r.pick(OUTCOMES) })
            .then((s) => void (charged += s.replay ? 0 : s.chargedMicros)),
        );
      }
    }
    await Promise.all(ops);
    for (const id of settling) live.splice(live.indexOf(id), 1);
    const where = `seed ${seed}, batch ${b}`;
    assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 }, where);
    let total = 0;
    for (const id of ids) {
      const bal = await store.getBalance(id);
      assert.ok(bal.availableMicros >= 0 && bal.heldMicros >= 0, `${id} negative at ${where}`);
      total += bal.availableMicros + bal.heldMicros;
    }
    assert.equal(total + charged, credited, `money created or destroyed at ${where}`);
  }
}
