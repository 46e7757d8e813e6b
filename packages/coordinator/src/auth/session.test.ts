import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignJWT } from "jose";
import { resolveConfig } from "../config/index.js";
import { openStore } from "../store/index.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { createAccountAuth, SESSION_SECRET_NAME } from "./account-auth.js";
import { hashPassword, verifyPassword } from "./password.js";
import { SESSION_AUDIENCE, SESSION_ISSUER, Sessions } from "./session.js";

const SECRET = "s".repeat(32);

describe("passwords", () => {
  it("hashes with argon2id and verifies only the right password", async () => {
    const h = await hashPassword("correct horse");
    assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(h, "correct horse"), true);
    assert.equal(await verifyPassword(h, "wrong horse"), false);
    assert.equal(await verifyPassword(null, "anything"), false);
    assert.equal(await verifyPassword("not a phc string", "x"), false);
  });
});

describe("session tokens (fake clock)", () => {
  async function setup() {
    const clock = new ManualClock(1_700_000_000_000);
    const store = await openStore({ engine: "sqlite", memory: true }, { now: clock.now });
    const acct = await store.accounts.createUser({ email: "a@b.c", passwordHash: "h", referredBy: null });
    const sessions = new Sessions(SECRET, { accounts: store.accounts, now: clock.now, ttlMs: 3_600_000 });
    return { clock, store, acct, sessions };
  }

  it("accepts a live session until it expires or is revoked", async () => {
    const { clock, store, acct, sessions } = await setup();
    const a = await sessions.issue(acct.id);
    assert.deepEqual(await sessions.verify(a.token), { accountId: acct.id, sessionId: a.sessionId });
    clock.advance(3_600_000 - 1_000);
    assert.ok(await sessions.verify(a.token));
    clock.advance(1_000);
    assert.equal(await sessions.verify(a.token), null, "expired");
    const b = await sessions.issue(acct.id);
    await sessions.revoke(b.sessionId);
    assert.equal(await sessions.verify(b.token), null, "revoked");
    await store.close();
  });

  it("refuses tokens for a closed account, another secret, or a session of someone else", async () => {
    const { clock, store, acct, sessions } = await setup();
    const a = await sessions.issue(acct.id);
    const other = new Sessions("t".repeat(32), { accounts: store.accounts, now: clock.now, ttlMs: 3_600_000 });
    assert.equal(await other.verify(a.token), null, "another key");
    const victim = await store.accounts.createUser({ email: "v@b.c", passwordHash: "h", referredBy: null });
    const now = Math.floor(clock.now() / 1000);
    const forged = await new SignJWT({ sid: a.sessionId })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(victim.id)
      .setIssuer(SESSION_ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(SECRET));
    assert.equal(await sessions.verify(forged), null, "a session id is bound to its account");
    await store.accounts.eraseAccount(acct.id);
    assert.equal(await sessions.verify(a.token), null, "closed account");
    await store.close();
  });

  it("generates the signing key once and keeps it in the database", async () => {
    const store = await openStore({ engine: "sqlite", memory: true });
    const cfg = resolveConfig({ providerToken: "p".repeat(16) });
    const acct = await store.accounts.createUser({ email: "k@b.c", passwordHash: "h", referredBy: null });
    const first = await createAccountAuth(cfg, store, Date.now);
    const token = (await first.sessions.issue(acct.id)).token;
    const second = await createAccountAuth(cfg, store, Date.now);
    assert.ok(await second.sessions.verify(token), "a restarted coordinator accepts the session");
    assert.equal((await store.accounts.secret(SESSION_SECRET_NAME, () => "other")).length, 43);
    await store.close();
  });
});
