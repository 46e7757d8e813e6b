import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it, beforeEach, afterEach } from "node:test";
import { accountsSuite } from "./accounts/accounts.suite.js";
import type { Store } from "./types.js";
import { moneySuite } from "./money.suite.js";
import { modelsSuite } from "./models/models.suite.js";
import { knownModelsSuite } from "./known-models/known-models.suite.js";
import { disputesSuite } from "./disputes/disputes.suite.js";
import { releasesSuite } from "./releases/releases.suite.js";

/**
 * The behaviour every Store engine must show. Engines call this from their own *.test.ts with a
 * factory that returns a fresh, migrated, empty store.
 */
export function storeSuite(name: string, factory: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    const hash = (s: string) => createHash("sha256").update(s).digest("hex");

    async function funded(micros: number): Promise<string> {
      const acct = await store.createAccount({ label: "t" });
      if (micros > 0) await store.credit({ accountId: acct.id, amountMicros: micros, idempotencyKey: `seed-${acct.id}`, kind: "grant" });
      return acct.id;
    }

    async function assertBalanced(): Promise<void> {
      assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
    }

    it("creates accounts and finds api keys by hash only", async () => {
      const acct = await store.createAccount({ label: "alice" });
      assert.deepEqual((await store.getAccount(acct.id))?.label, "alice");
      assert.equal(await store.getAccount("nope"), null);
      const key = await store.createApiKey({ accountId: acct.id, keyHash: hash("k1") });
      const found = await store.findApiKeyByHash(hash("k1"));
      assert.equal(found?.id, key.id);
      assert.equal(found?.accountId, acct.id);
      assert.equal(found?.revokedAt, null);
      assert.equal(await store.findApiKeyByHash(hash("k2")), null);
      await store.revokeApiKey(key.id);
      assert.notEqual((await store.findApiKeyByHash(hash("k1")))?.revokedAt, null);
      await assert.rejects(store.createApiKey({ accountId: acct.id, keyHash: "sk-db-plain" }));
    });

    it("credits idempotently", async () => {
      const id = await funded(0);
      assert.deepEqual(await store.credit({ accountId: id, amountMicros: 500, idempotencyKey: "g1", kind: "grant" }), { replay: false });
      assert.deepEqual(await store.credit({ accountId: id, amountMicros: 500, idempotencyKey: "g1", kind: "grant" }), { replay: true });
      assert.deepEqual(await store.getBalance(id), { availableMicros: 500, heldMicros: 0 });
      await assertBalanced();
    });

    it("reserves, settles the actual cost and refunds the rest", async () => {
      const id = await funded(10_000);
      const r = await store.reserve({ requestId: "r1", accountId: id, amountMicros: 3_000, model: "m" });
      assert.deepEqual(r, { ok: true, reservedMicros: 3_000, replay: false });
      assert.deepEqual(await store.getBalance(id), { availableMicros: 7_000, heldMicros: 3_000 });
      const s = await store.settle({
        requestId: "r1",
        chargeMicros: 1_200,
        promptTokens: 10,
        completionTokens: 5,
        providerId: "p1",
        outcome: "completed",
      });
      assert.deepEqual(s, { chargedMicros: 1_200, refundedMicros: 1_800, shortfallMicros: 0, replay: false });
      assert.deepEqual(await store.getBalance(id), { availableMicros: 8_800, heldMicros: 0 });
      const rec = await store.getRequest("r1");
      assert.equal(rec?.state, "completed");
      assert.equal(rec?.chargedMicros, 1_200);
      assert.equal(rec?.promptTokens, 10);
      assert.equal(rec?.completionTokens, 5);
      assert.equal(rec?.providerId, "p1");
      await assertBalanced();
    });

    it("settles idempotently per request id", async () => {
      const id = await funded(10_000);
      await store.reserve({ requestId: "r2", accountId: id, amountMicros: 2_000, model: "m" });
      const settle = { requestId: "r2", chargeMicros: 500, promptTokens: 1, completionTokens: 1, providerId: null, outcome: "completed" as const };
      const first = await store.settle(settle);
      const again = await store.settle({ ...settle, chargeMicros: 1_999 });
      assert.equal(again.replay, true);
      assert.equal(again.chargedMicros, first.chargedMicros);
      assert.equal(again.refundedMicros, first.refundedMicros);
      assert.deepEqual(await store.getBalance(id), { availableMicros: 9_500, heldMicros: 0 });
      await assertBalanced();
    });

    it("replays a duplicate reservation instead of holding twice", async () => {
      const id = await funded(10_000);
      await store.reserve({ requestId: "r3", accountId: id, amountMicros: 4_000, model: "m" });
      const again = await store.reserve({ requestId: "r3", accountId: id, amountMicros: 4_000, model: "m" });
      assert.deepEqual(again, { ok: true, reservedMicros: 4_000, replay: true });
      assert.deepEqual(await store.getBalance(id), { availableMicros: 6_000, heldMicros: 4_000 });
    });

    it("refuses a reservation the balance cannot cover and changes nothing", async () => {
      const id = await funded(1_000);
      const r = await store.reserve({ requestId: "r4", accountId: id, amountMicros: 1_001, model: "m" });
      assert.deepEqual(r, { ok: false, reason: "insufficient_balance", availableMicros: 1_000 });
      assert.equal(await store.getRequest("r4"), null);
      assert.deepEqual(await store.getBalance(id), { availableMicros: 1_000, heldMicros: 0 });
      await assertBalanced();
    });

    it("never charges more than the hold, whatever the settle asks", async () => {
      const id = await funded(10_000);
      await store.reserve({ requestId: "r5", accountId: id, amountMicros: 1_000, model: "m" });
      const s = await store.settle({ requestId: "r5", chargeMicros: 9_000, promptTokens: 1, completionTokens: 1, providerId: null, outcome: "completed" });
      assert.deepEqual(s, { chargedMicros: 1_000, refundedMicros: 0, shortfallMicros: 8_000, replay: false });
      assert.deepEqual(await store.getBalance(id), { availableMicros: 9_000, heldMicros: 0 });
      await assertBalanced();
    });

    it("checkpoints delivery on a held request only and lists held reservations oldest first", async () => {
      const id = await funded(10_000);
      await store.reserve({ requestId: "h1", accountId: id, amountMicros: 1_000, model: "m" });
      await store.reserve({ requestId: "h2", accountId: id, amountMicros: 2_000, model: "m2" });
      await store.reserve({ requestId: "h3", accountId: id, amountMicros: 500, model: "m" });
      assert.equal((await store.getRequest("h1"))?.delivered, null);
      await store.recordDelivery({ requestId: "h1", promptTokens: 7, completionTokens: 3, providerId: "p1" });
      await store.recordDelivery({ requestId: "h1", promptTokens: 7, completionTokens: 9, providerId: "p1" });
      assert.deepEqual((await store.getRequest("h1"))?.delivered, { promptTokens: 7, completionTokens: 9 });
      await store.settle({ requestId: "h3", chargeMicros: 0, promptTokens: 0, completionTokens: 0, providerId: null, outcome: "failed" });
      await store.recordDelivery({ requestId: "h3", promptTokens: 1, completionTokens: 1, providerId: "p1" });
      assert.equal((await store.getRequest("h3"))?.delivered, null, "a settled request is not checkpointed");
      await store.recordDelivery({ requestId: "ghost", promptTokens: 1, completionTokens: 1, providerId: null });

      const held = await store.heldReservations(Number.MAX_SAFE_INTEGER, 10);
      assert.deepEqual(held.map((h) => h.requestId).sort(), ["h1", "h2"]);
      const h1 = held.find((h) => h.requestId === "h1")!;
      assert.equal(h1.accountId, id);
      assert.equal(h1.model, "m");
      assert.equal(h1.reservedMicros, 1_000);
      assert.deepEqual(h1.delivered, { promptTokens: 7, completionTokens: 9, providerId: "p1" });
      assert.equal(held.find((h) => h.requestId === "h2")!.delivered, null);
      assert.ok(held[0]!.createdAt <= held[1]!.createdAt);
      assert.equal((await store.heldReservations(Number.MAX_SAFE_INTEGER, 1)).length, 1);
      assert.deepEqual(await store.heldReservations(held[0]!.createdAt, 10), [], "only those created before the cutoff");
    });

    it("settles a swept reservation as expired, once", async () => {
      const id = await funded(10_000);
      await store.reserve({ requestId: "x1", accountId: id, amountMicros: 3_000, model: "m" });
      const settle = { requestId: "x1", chargeMicros: 400, promptTokens: 2, completionTokens: 3, providerId: "p", outcome: "expired" as const };
      const [a, b] = await Promise.all([store.settle(settle), store.settle(settle)]);
      assert.equal([a, b].filter((r) => r.replay).length, 1);
      assert.equal((await store.getRequest("x1"))?.state, "expired");
      assert.deepEqual(await store.getBalance(id), { availableMicros: 9_600, heldMicros: 0 });
      assert.deepEqual(await store.heldReservations(Number.MAX_SAFE_INTEGER, 10), []);
      await assertBalanced();
    });

    it("refunds everything on a failed request", async () => {
      const id = await funded(5_000);
      await store.reserve({ requestId: "r6", accountId: id, amountMicros: 5_000, model: "m" });
      await store.settle({ requestId: "r6", chargeMicros: 0, promptTokens: 0, completionTokens: 0, providerId: null, outcome: "failed" });
      assert.deepEqual(await store.getBalance(id), { availableMicros: 5_000, heldMicros: 0 });
      assert.equal((await store.getRequest("r6"))?.state, "failed");
      await assertBalanced();
    });

    it("rejects settling an unknown request and non-integer amounts", async () => {
      await assert.rejects(
        store.settle({ requestId: "ghost", chargeMicros: 1, promptTokens: 0, completionTokens: 0, providerId: null, outcome: "completed" }),
      );
      const id = await funded(100);
      await assert.rejects(store.reserve({ requestId: "r7", accountId: id, amountMicros: 1.5, model: "m" }), RangeError);
    });

    it("keeps the ledger balanced under concurrent reservations", async () => {
      const id = await funded(10_000);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.reserve({ requestId: `c${i}`, accountId: id, amountMicros: 1_000, model: "m" })),
      );
      assert.equal(results.filter((r) => r.ok).length, 10);
      await Promise.all(
        results.map((r, i) =>
          r.ok
            ? store.settle({ requestId: `c${i}`, chargeMicros: 100, promptTokens: 1, completionTokens: 1, providerId: null, outcome: "completed" })
            : null,
        ),
      );
      assert.deepEqual(await store.getBalance(id), { availableMicros: 9_000, heldMicros: 0 });
      await assertBalanced();
    });

    moneySuite(() => store);
  });
  accountsSuite(name, factory);
  modelsSuite(name, factory);
  knownModelsSuite(name, factory);
  disputesSuite(name, factory);
  releasesSuite(name, factory);
}
