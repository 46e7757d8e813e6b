import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Store } from "../types.js";
import type { NewDeviceCode } from "./types.js";

const h = (s: string) => createHash("sha256").update(s).digest("hex");
const LIMITS = { maxPending: 3, maxPerDevice: 2 };
const POLL = { maxPolls: 5, slowDownStepMs: 5_000 };
const DEVICE = "prv_0123456789abcdef";

/** Device login and provider links: part of the contract every engine runs (see store.suite.ts). */
export function devicesSuite(name: string, factory: (now: () => number) => Promise<Store>): void {
  describe(`Store contract (device login, links): ${name}`, () => {
    let store: Store;
    let t = 1_000_000;
    beforeEach(async () => {
      t = 1_000_000;
      store = await factory(() => t);
    });
    afterEach(async () => {
      await store.close();
    });

    const code = (n: string, device = DEVICE): NewDeviceCode => ({
      codeHash: h(`dc-${n}`),
      userCodeHash: h(`uc-${n}`),
      proofHash: h(`proof-${n}`),
      identityKey: `ik-${device}`,
      deviceId: device,
      clientName: null,
      intervalMs: 5_000,
      expiresAt: t + 600_000,
    });
    const token = (n: string) => ({ tokenId: `pt_${n}`, tokenHash: h(`tok-${n}`) });

    async function settleFor(providerId: string, requestId: string): Promise<{ consumer: string }> {
      const consumer = (await store.createAccount({ label: "c" })).id;
      await store.credit({ accountId: consumer, amountMicros: 10_000, idempotencyKey: `seed-${requestId}`, kind: "grant" });
      await store.reserve({ requestId, accountId: consumer, amountMicros: 1_000, model: "m" });
      await store.settle({
        requestId,
        chargeMicros: 600,
        promptTokens: 1,
        completionTokens: 7,
        providerId,
        outcome: "completed",
        split: { providerAccountId: null, providerMicros: 500, platformFeeMicros: 100, referrerAccountId: null, referralMicros: 0 },
      });
      return { consumer };
    }

    async function assertClean(): Promise<void> {
      assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
      assert.deepEqual((await store.auditRequests()).problems, []);
    }

    it("bounds codes, refuses a replayed proof and a taken user code", async () => {
      assert.equal(await store.devices.createCode(code("a"), LIMITS), "created");
      assert.equal(await store.devices.createCode({ ...code("b"), proofHash: h("proof-a") }, LIMITS), "replay");
      assert.equal(await store.devices.createCode({ ...code("b"), userCodeHash: h("uc-a") }, LIMITS), "user_code_taken");
      assert.equal(await store.devices.createCode(code("b"), LIMITS), "created");
      assert.equal(await store.devices.createCode(code("c"), LIMITS), "too_many", "per device");
      assert.equal(await store.devices.createCode(code("d", "prv_ffffffffffffffff"), LIMITS), "created");
      assert.equal(await store.devices.createCode(code("e", "prv_eeeeeeeeeeeeeeee"), LIMITS), "too_many", "in total");
      t += 600_000; // all expired: purged on the next create
      assert.equal(await store.devices.createCode(code("e", "prv_eeeeeeeeeeeeeeee"), LIMITS), "created");
    });

    it("polls: pending, slow_down (interval grows), approved → one token, then spent", async () => {
      await store.devices.createCode(code("a"), LIMITS);
      assert.deepEqual(await store.devices.poll(h("dc-a"), token("1"), POLL), { kind: "pending", intervalMs: 5_000 });
      t += 1_000;
      assert.deepEqual(await store.devices.poll(h("dc-a"), token("1"), POLL), { kind: "slow_down", intervalMs: 10_000 });
      t += 10_000;
      assert.deepEqual(await store.devices.poll(h("dc-a"), token("1"), POLL), { kind: "pending", intervalMs: 10_000 });
      const acct = (await store.createAccount({ label: "owner" })).id;
      assert.equal((await store.devices.decide(h("uc-a"), acct, true)).kind, "ok");
      assert.equal((await store.devices.decide(h("uc-a"), acct, true)).kind, "already_decided");
      t += 10_000;
      assert.deepEqual(await store.devices.poll(h("dc-a"), token("1"), POLL), { kind: "issued", accountId: acct, deviceId: DEVICE });
      assert.deepEqual(await store.devices.poll(h("dc-a"), token("2"), POLL), { kind: "unknown" }, "single use");
      assert.deepEqual(await store.devices.tokenOwner(h("tok-1")), { tokenId: "pt_1", accountId: acct, deviceId: DEVICE, identityKey: `ik-${DEVICE}` });
      assert.equal(await store.devices.tokenOwner(h("tok-2")), null);
      assert.equal((await store.devices.linkOf(DEVICE))?.accountId, acct);
      assert.equal(await store.devices.revokeToken(h("tok-1")), true);
      assert.equal(await store.devices.revokeToken(h("tok-1")), false);
      assert.equal(await store.devices.tokenOwner(h("tok-1")), null);
      assert.equal(await store.devices.linkOf(DEVICE), null, "logout unlinks");
    });

    it("denied, expired and over-polled codes end", async () => {
      const acct = (await store.createAccount({ label: "owner" })).id;
      await store.devices.createCode(code("a"), LIMITS);
      assert.equal((await store.devices.decide(h("uc-a"), acct, false)).kind, "ok");
      assert.deepEqual(await store.devices.poll(h("dc-a"), token("1"), POLL), { kind: "denied" });
      assert.deepEqual(await store.devices.poll(h("dc-a"), token("1"), POLL), { kind: "unknown" });
      assert.equal(await store.devices.linkOf(DEVICE), null);
      await store.devices.createCode(code("b"), LIMITS);
      for (let i = 0; i < POLL.maxPolls; i++) {
        t += 60_000;
        assert.equal((await store.devices.poll(h("dc-b"), token("1"), POLL)).kind, "pending");
      }
      t += 60_000;
      assert.deepEqual(await store.devices.poll(h("dc-b"), token("1"), POLL), { kind: "expired" });
      await store.devices.createCode(code("c"), LIMITS);
      t += 600_000;
      assert.equal((await store.devices.decide(h("uc-c"), acct, true)).kind, "expired");
      assert.deepEqual(await store.devices.poll(h("dc-c"), token("1"), POLL), { kind: "expired" });
      assert.equal((await store.devices.decide(h("uc-zzz"), acct, true)).kind, "unknown");
    });

    it("an unlinked device earns into its own account; linking moves it (balanced) and later earnings go to the account", async () => {
      await settleFor(`${DEVICE}-abcd1234`, "r1");
      await settleFor("not-a-provider-id", "r0");
      assert.equal(await store.devices.pendingEarnings(DEVICE), 500);
      assert.equal((await store.getRequest("r1"))?.state, "completed");
      await assertClean();
      const acct = (await store.createAccount({ label: "owner" })).id;
      await store.devices.createCode(code("a"), LIMITS);
      assert.deepEqual(await store.devices.decide(h("uc-a"), acct, true), { kind: "ok", deviceId: DEVICE, movedMicros: 500 });
      assert.equal(await store.devices.pendingEarnings(DEVICE), 0);
      assert.equal((await store.getEarnings(acct)).earningsMicros, 500);
      await settleFor(DEVICE, "r2");
      assert.equal((await store.getEarnings(acct)).earningsMicros, 1_000, "the link pays the account even on an unlinked connection");
      assert.deepEqual(await store.devices.link({ deviceId: DEVICE, identityKey: `ik-${DEVICE}`, accountId: acct }), { movedMicros: 0 });
      await assertClean();
      const rows = await store.devices.earnings(acct, 0);
      assert.deepEqual(
        rows.map((r) => [r.providerId, r.earnedMicros, r.requests, r.completionTokens]).sort(),
        [
          [DEVICE, 500, 1, 7],
          [`${DEVICE}-abcd1234`, 500, 1, 7],
        ],
      );
      assert.equal(rows[0]?.day, Math.floor(t / 86_400_000));
      assert.deepEqual(await store.devices.earnings(acct, t + 1), []);
      assert.deepEqual((await store.devices.linksOf(acct, 10)).map((l) => l.deviceId), [DEVICE]);
      // Relinking to another account revokes the first account's tokens.
      await store.devices.createCode(code("b"), LIMITS);
      await store.devices.decide(h("uc-b"), acct, true);
      await store.devices.poll(h("dc-b"), token("b"), POLL);
      assert.notEqual(await store.devices.tokenOwner(h("tok-b")), null);
      // Repeated logins keep at most MAX_LIVE_TOKENS live per device: the oldest stops working.
      for (const n of ["c", "d", "e"]) {
        await store.devices.createCode(code(n), { ...LIMITS, maxPending: 100 });
        await store.devices.decide(h(`uc-${n}`), acct, true);
        t += 1;
        assert.equal((await store.devices.poll(h(`dc-${n}`), token(n), POLL)).kind, "issued");
      }
      assert.equal(await store.devices.tokenOwner(h("tok-b")), null, "the oldest of four");
      assert.notEqual(await store.devices.tokenOwner(h("tok-c")), null);
      const other = (await store.createAccount({ label: "other" })).id;
      await store.devices.link({ deviceId: DEVICE, identityKey: `ik-${DEVICE}`, accountId: other });
      assert.equal(await store.devices.tokenOwner(h("tok-e")), null, "relinked elsewhere: the first account's tokens stop");
    });
  });
}
