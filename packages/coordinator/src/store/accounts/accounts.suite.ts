import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Store } from "../types.js";
import { EmailTakenError } from "./types.js";

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

/** Accounts, sessions, keys and usage: part of the contract every engine runs (see store.suite.ts). */
export function accountsSuite(name: string, factory: () => Promise<Store>): void {
  describe(`Store contract (accounts, keys, usage): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it("creates login accounts with unique emails and referral codes, and records the referrer", async () => {
      const a = await store.accounts.createUser({ email: "a@example.com", passwordHash: "h1", referredBy: null });
      assert.match(a.referralCode ?? "", /^REF-[A-Z0-9]{8}$/);
      await assert.rejects(store.accounts.createUser({ email: "a@example.com", passwordHash: "h2", referredBy: null }), EmailTakenError);
      const b = await store.accounts.createUser({ email: "b@example.com", passwordHash: "h2", referredBy: a.id });
      assert.notEqual(b.referralCode, a.referralCode);
      assert.equal(await store.accounts.referrerOf(b.id), a.id);
      assert.equal(await store.accounts.referrerOf(a.id), null);
      assert.equal(await store.accounts.referrerOf("nobody"), null);
      assert.equal((await store.accounts.findByReferralCode(a.referralCode!))?.id, a.id);
      assert.equal(await store.accounts.findByReferralCode("REF-NOPE0000"), null);
      const login = await store.accounts.findLogin("b@example.com");
      assert.equal(login?.account.id, b.id);
      assert.equal(login?.passwordHash, "h2");
      assert.equal(await store.accounts.findLogin("c@example.com"), null);
    });

    it("creates, revokes and looks up sessions", async () => {
      const a = await store.accounts.createUser({ email: "s@example.com", passwordHash: "h", referredBy: null });
      const s = await store.accounts.createSession({ accountId: a.id, expiresAt: 9_999_999_999_999 });
      assert.deepEqual(await store.accounts.getSession(s.id), s);
      assert.equal(await store.accounts.revokeSession(s.id), true);
      assert.equal(await store.accounts.revokeSession(s.id), false);
      assert.notEqual((await store.accounts.getSession(s.id))?.revokedAt, null);
      assert.equal(await store.accounts.getSession("sess_nope"), null);
    });

    it("links an external identity to one account", async () => {
      const x = await store.accounts.accountForIdentity({ issuer: "https://idp", subject: "u1" });
      const again = await store.accounts.accountForIdentity({ issuer: "https://idp", subject: "u1" });
      const other = await store.accounts.accountForIdentity({ issuer: "https://other", subject: "u1" });
      assert.equal(again.id, x.id);
      assert.notEqual(other.id, x.id);
      assert.ok(x.referralCode);
    });

    it("keeps one coordinator secret per name", async () => {
      const first = await store.accounts.secret("session", () => "one");
      const second = await store.accounts.secret("session", () => "two");
      assert.equal(first, "one");
      assert.equal(second, "one");
    });

    it("manages keys: list, rename, limits, rotate, revoke, touch", async () => {
      const a = await store.accounts.createUser({ email: "k@example.com", passwordHash: "h", referredBy: null });
      const other = await store.accounts.createUser({ email: "o@example.com", passwordHash: "h", referredBy: null });
      const k = await store.keys.create({ accountId: a.id, keyHash: hash("s1"), name: "ci", prefix: "sk-db-aaaa", limits: { requestsPerMinute: 5 } });
      assert.equal(k.name, "ci");
      assert.deepEqual(k.limits, { requestsPerMinute: 5, tokensPerMinute: null, dailyMicros: null, weeklyMicros: null, monthlyMicros: null });
      assert.equal(k.lastUsedAt, null);
      assert.deepEqual((await store.keys.list(a.id)).map((x) => x.id), [k.id]);
      assert.deepEqual(await store.keys.list(other.id), []);
      assert.equal(await store.keys.get(other.id, k.id), null, "another account's key is invisible");
      const renamed = await store.keys.update(a.id, k.id, { name: "prod", limits: { requestsPerMinute: null, dailyMicros: 1_000 } });
      assert.equal(renamed?.name, "prod");
      assert.equal(renamed?.limits.requestsPerMinute, null);
      assert.equal(renamed?.limits.dailyMicros, 1_000);
      assert.equal(await store.keys.update(other.id, k.id, { name: "stolen" }), null);
      await store.keys.touch(k.id, 1_000, 60_000);
      await store.keys.touch(k.id, 2_000, 60_000);
      assert.equal((await store.keys.get(a.id, k.id))?.lastUsedAt, 1_000, "touch writes at most once per interval");
      const rotated = await store.keys.rotate(a.id, k.id, { keyHash: hash("s2"), prefix: "sk-db-bbbb" });
      assert.equal(rotated?.prefix, "sk-db-bbbb");
      assert.equal(await store.findApiKeyByHash(hash("s1")), null, "the old secret is retired");
      assert.equal((await store.findApiKeyByHash(hash("s2")))?.id, k.id);
      assert.equal(await store.keys.revoke(other.id, k.id), false);
      assert.equal(await store.keys.revoke(a.id, k.id), true);
      assert.notEqual((await store.findApiKeyByHash(hash("s2")))?.revokedAt, null);
      assert.deepEqual(await store.keys.list(a.id), []);
      assert.equal(await store.keys.rotate(a.id, k.id, { keyHash: hash("s3"), prefix: "x" }), null);
    });

    it("sums a key's spend (settled + held) and settled tokens, and usage per day and key", async () => {
      const a = await store.accounts.createUser({ email: "u@example.com", passwordHash: "h", referredBy: null });
      await store.credit({ accountId: a.id, amountMicros: 100_000, idempotencyKey: "u", kind: "grant" });
      const k = await store.keys.create({ accountId: a.id, keyHash: hash("u1"), name: "", prefix: "p" });
      for (const id of ["q1", "q2"]) {
        await store.keys.tagRequest({ requestId: id, accountId: a.id, apiKeyId: k.id });
        await store.reserve({ requestId: id, accountId: a.id, amountMicros: 5_000, model: "m" });
      }
      await store.settle({ requestId: "q1", chargeMicros: 1_200, promptTokens: 10, completionTokens: 4, providerId: "p", outcome: "completed" });
      assert.equal(await store.keys.spendSince(k.id, 0), 1_200 + 5_000);
      assert.equal(await store.keys.spendSince(k.id, Number.MAX_SAFE_INTEGER), 0);
      const events = await store.keys.tokenEventsSince(k.id, 0);
      assert.deepEqual(events.map((e) => e.tokens), [14]);
      await store.reserve({ requestId: "untagged", accountId: a.id, amountMicros: 100, model: "m" });
      const usage = await store.usage.byDayAndKey(a.id, 0, Number.MAX_SAFE_INTEGER);
      assert.equal(usage.length, 2);
      const keyed = usage.find((u) => u.apiKeyId === k.id);
      assert.deepEqual(
        keyed && { requests: keyed.requests, p: keyed.promptTokens, c: keyed.completionTokens, ch: keyed.chargedMicros },
        { requests: 2, p: 10, c: 4, ch: 1_200 },
      );
      assert.match(keyed!.day, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(usage.find((u) => u.apiKeyId === null)?.requests, 1);
      assert.equal(await store.usage.spentMicros(a.id), 1_200);
      assert.deepEqual(await store.usage.totalsSince(0), { requests: 3, promptTokens: 10, completionTokens: 4 });
    });

    it("erases an account: keys and sessions revoked, personal data gone, ledger kept balanced", async () => {
      const a = await store.accounts.createUser({ email: "e@example.com", passwordHash: "h", referredBy: null });
      await store.credit({ accountId: a.id, amountMicros: 7_000, idempotencyKey: "e", kind: "grant" });
      const k = await store.keys.create({ accountId: a.id, keyHash: hash("e1"), name: "n", prefix: "p" });
      const s = await store.accounts.createSession({ accountId: a.id, expiresAt: 9_999_999_999_999 });
      await store.accounts.eraseAccount(a.id);
      const after = await store.accounts.getUser(a.id);
      assert.equal(after?.email, null);
      assert.equal(after?.referralCode, null);
      assert.notEqual(after?.closedAt, null);
      assert.equal(await store.accounts.findLogin("e@example.com"), null);
      assert.notEqual((await store.findApiKeyByHash(hash("e1")))?.revokedAt, null);
      assert.equal(await store.keys.get(a.id, k.id), null);
      assert.notEqual((await store.accounts.getSession(s.id))?.revokedAt, null);
      assert.deepEqual(await store.getBalance(a.id), { availableMicros: 7_000, heldMicros: 0 });
      assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
      const again = await store.accounts.createUser({ email: "e@example.com", passwordHash: "h", referredBy: null });
      assert.notEqual(again.id, a.id, "the address can be used again");
    });

    it("lists accounts for admins, newest first, with balances and a cursor", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await store.accounts.createUser({ email: `l${i}@example.com`, passwordHash: "h", referredBy: null })).id);
      await store.credit({ accountId: ids[0]!, amountMicros: 500, idempotencyKey: "l", kind: "grant" });
      const page = await store.accounts.listAccounts({ limit: 2 });
      assert.equal(page.length, 2);
      const rest = await store.accounts.listAccounts({ limit: 10, before: { createdAt: page[1]!.createdAt, id: page[1]!.id } });
      const all = [...page, ...rest];
      assert.deepEqual(all.map((r) => r.id).sort(), [...ids].sort());
      assert.equal(all.find((r) => r.id === ids[0])?.availableMicros, 500);
      assert.equal(all.find((r) => r.id === ids[0])?.email, "l0@example.com");
    });
  });
}
