import assert from "node:assert/strict";
import { it } from "node:test";
import type { SettleInput, Store } from "./types.js";

/**
 * Money contract every engine must show: split settlements, the per-request audit, prices,
 * invites and withdrawals. Called from `storeSuite` (inside its describe, with its fresh store).
 */
export function moneySuite(store: () => Store): void {
  async function funded(micros: number): Promise<string> {
    const s = store();
    const acct = await s.createAccount({ label: "t" });
    if (micros > 0) await s.credit({ accountId: acct.id, amountMicros: micros, idempotencyKey: `seed-${acct.id}`, kind: "grant" });
    return acct.id;
  }

  async function assertClean(): Promise<void> {
    assert.deepEqual(await store().checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
    const audit = await store().auditRequests();
    assert.deepEqual(audit.problems, []);
    assert.equal(audit.heldMicros, 0);
    assert.equal(audit.openRequests, 0);
  }

  const settle = (requestId: string, chargeMicros: number, split?: SettleInput["split"]): SettleInput => ({
    requestId,
    chargeMicros,
    promptTokens: 1,
    completionTokens: 1,
    providerId: "prov",
    outcome: "completed",
    ...(split && { split }),
  });

  it("money: a split settlement pays the provider's owner, the platform fee and the referrer; the audit agrees", async () => {
    const s = store();
    const consumer = await funded(10_000);
    const owner = await funded(0);
    const referrer = await funded(0);
    await s.reserve({ requestId: "s1", accountId: consumer, amountMicros: 5_000, model: "m" });
    const split = { providerAccountId: owner, providerMicros: 900, platformFeeMicros: 80, referrerAccountId: referrer, referralMicros: 20 };
    const r = await s.settle(settle("s1", 1_000, split));
    assert.deepEqual(r, { chargedMicros: 1_000, refundedMicros: 4_000, shortfallMicros: 0, replay: false });
    assert.deepEqual(await s.getBalance(consumer), { availableMicros: 9_000, heldMicros: 0 });
    assert.deepEqual(await s.getEarnings(owner), { earningsMicros: 900, referralMicros: 0 });
    assert.deepEqual(await s.getEarnings(referrer), { earningsMicros: 0, referralMicros: 20 });
    // Unlinked provider: its share goes to the platform's unclaimed pool.
    await s.reserve({ requestId: "s2", accountId: consumer, amountMicros: 1_000, model: "m" });
    await s.settle(settle("s2", 100, { providerAccountId: null, providerMicros: 100, platformFeeMicros: 0, referrerAccountId: null, referralMicros: 0 }));
    const audit = await s.auditRequests();
    assert.equal(audit.settledRequests, 2);
    await assertClean();
  });

  it("money: refuses a split that does not sum to the charge, and changes nothing", async () => {
    const s = store();
    const consumer = await funded(10_000);
    await s.reserve({ requestId: "s3", accountId: consumer, amountMicros: 1_000, model: "m" });
    const bad = { providerAccountId: null, providerMicros: 900, platformFeeMicros: 0, referrerAccountId: null, referralMicros: 0 };
    await assert.rejects(s.settle(settle("s3", 1_000, bad)), /does not sum/);
    // Charged above the hold: the split of the asked charge cannot match the capped charge.
    await assert.rejects(s.settle(settle("s3", 2_000, { ...bad, providerMicros: 2_000 })), /does not sum/);
    assert.equal((await s.getRequest("s3"))?.state, "reserved");
    await s.settle(settle("s3", 0, { ...bad, providerMicros: 0 }));
    await assertClean();
  });

  it("money: the audit reports open holds and accepts legacy (unsplit) settlements", async () => {
    const s = store();
    const consumer = await funded(10_000);
    const owner = await funded(0);
    await s.reserve({ requestId: "s4", accountId: consumer, amountMicros: 1_000, model: "m" });
    await s.settle(settle("s4", 500, { providerAccountId: owner, providerMicros: 500, platformFeeMicros: 0, referrerAccountId: null, referralMicros: 0 }));
    await s.reserve({ requestId: "s6", accountId: consumer, amountMicros: 1_000, model: "m" });
    await s.settle(settle("s6", 300));
    await s.reserve({ requestId: "s5", accountId: consumer, amountMicros: 1_000, model: "m" });
    const audit = await s.auditRequests();
    assert.deepEqual(audit.problems, []);
    assert.equal(audit.openRequests, 1);
    assert.equal(audit.heldMicros, 1_000, "a held reservation is reported");
  });

  it("money: per-model prices for the platform and per owner, upserted and deleted", async () => {
    const s = store();
    await s.setModelPrice({ ownerAccountId: null, model: "m", inputPerMillion: 1, outputPerMillion: 2 });
    await s.setModelPrice({ ownerAccountId: "acct_a", model: "m", inputPerMillion: 3, outputPerMillion: 4 });
    await s.setModelPrice({ ownerAccountId: "acct_a", model: "m", inputPerMillion: 5, outputPerMillion: 6 });
    const list = await s.listModelPrices();
    assert.deepEqual(
      list.map((p) => [p.ownerAccountId, p.model, p.inputPerMillion, p.outputPerMillion]),
      [
        ["acct_a", "m", 5, 6],
        [null, "m", 1, 2],
      ],
    );
    assert.equal(await s.deleteModelPrice("acct_a", "m"), true);
    assert.equal(await s.deleteModelPrice("acct_a", "m"), false);
    assert.deepEqual((await s.listModelPrices()).map((p) => p.ownerAccountId), [null]);
    await assert.rejects(s.setModelPrice({ ownerAccountId: null, model: "m", inputPerMillion: -1, outputPerMillion: 0 }), RangeError);
  });

  it("money: an invite credits each account once, up to its uses, until it expires", async () => {
    const s = store();
    const [a, b, c] = [await funded(0), await funded(0), await funded(0)];
    await s.createInvite({ code: "INV-0000abcd", amountMicros: 1_000_000, maxUses: 2, expiresAt: null });
    assert.deepEqual(await s.redeemInvite("INV-0000abcd", a), { ok: true, amountMicros: 1_000_000, replay: false });
    assert.deepEqual(await s.redeemInvite("INV-0000abcd", a), { ok: true, amountMicros: 1_000_000, replay: true });
    assert.deepEqual(await s.redeemInvite("INV-0000abcd", b), { ok: true, amountMicros: 1_000_000, replay: false });
    assert.deepEqual(await s.redeemInvite("INV-0000abcd", c), { ok: false, reason: "exhausted" });
    assert.deepEqual(await s.redeemInvite("INV-ffffffff", c), { ok: false, reason: "not_found" });
    await s.createInvite({ code: "INV-00000001", amountMicros: 5, maxUses: 9, expiresAt: 1 });
    assert.deepEqual(await s.redeemInvite("INV-00000001", c), { ok: false, reason: "expired" });
    assert.equal((await s.getBalance(a)).availableMicros, 1_000_000);
    assert.equal((await s.getBalance(c)).availableMicros, 0);
    await assertClean();
  });

  it("money: withdrawals take earnings then referral earnings, and a failed one is reversed once", async () => {
    const s = store();
    const consumer = await funded(10_000);
    const owner = await funded(0);
    await s.reserve({ requestId: "w0", accountId: consumer, amountMicros: 2_000, model: "m" });
    await s.settle(settle("w0", 1_000, { providerAccountId: owner, providerMicros: 900, platformFeeMicros: 0, referrerAccountId: owner, referralMicros: 100 }));
    assert.deepEqual(await s.startWithdrawal({ id: "wd1", accountId: owner, amountMicros: 1_001 }), { ok: false, availableMicros: 1_000 });
    assert.deepEqual(await s.startWithdrawal({ id: "wd1", accountId: owner, amountMicros: 950 }), { ok: true });
    assert.deepEqual(await s.getEarnings(owner), { earningsMicros: 0, referralMicros: 50 });
    assert.equal((await s.getWithdrawal("wd1"))?.state, "pending");
    await s.failWithdrawal("wd1");
    await s.failWithdrawal("wd1");
    assert.deepEqual(await s.getEarnings(owner), { earningsMicros: 900, referralMicros: 100 });
    assert.equal((await s.getWithdrawal("wd1"))?.state, "failed");
    assert.deepEqual(await s.startWithdrawal({ id: "wd2", accountId: owner, amountMicros: 500 }), { ok: true });
    await s.completeWithdrawal("wd2", "tr_1");
    await s.failWithdrawal("wd2");
    assert.deepEqual(await s.getWithdrawal("wd2"), { id: "wd2", accountId: owner, amountMicros: 500, state: "paid", transferId: "tr_1" });
    assert.equal(await s.getPayoutAccount(owner), null);
    await s.setPayoutAccount(owner, "acct_stripe1");
    assert.equal(await s.getPayoutAccount(owner), "acct_stripe1");
    const payouts = await s.checkLedger();
    assert.equal(payouts.postingSum, 0);
    await assertClean();
  });
}
