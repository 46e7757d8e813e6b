import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { apiClient, chatBody } from "../test-support/api-client.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { manualClock } from "../test-support/manual-clock.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** Accounts, sessions and keys through the HTTP API, on a fake clock (session expiry). */
const ADMIN = "admin-token-0123456789abcdef";
const MODEL = "org/tiny-model";
const TTL_HOURS = 2;
const clock = manualClock();
let coord: RunningCoordinator;
let provider: FakeProvider;
const api = apiClient(() => coord.url);

before(async () => {
  coord = await startCoordinator(
    {
      port: 0,
      databaseUrl: "sqlite::memory:",
      bootstrapApiKey: generateApiKey(),
      providerToken: TEST_PROVIDER_TOKEN,
      adminToken: ADMIN,
      logLevel: "silent",
      signupCreditUsd: 1,
      sessionTtlHours: TTL_HOURS,
    },
    { clock },
  );
  provider = await FakeProvider.connect(coord.url, { models: [MODEL] });
  await waitUntil("first heartbeat", () => (coord.registry.get(provider.id)?.slots.size ?? 0) > 0);
});

after(async () => {
  await provider.close();
  await coord.close();
});

let n = 0;
async function signup(extra: Record<string, unknown> = {}) {
  const email = `user${n++}@example.com`;
  const r = await api("POST", "/v1/auth/signup", { body: { email, password: "correct horse battery", ...extra } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return { email, accountId: r.json.account_id as string, token: r.json.token as string, referralCode: r.json.referral_code as string };
}
async function newKey(token: string, body: unknown = { name: "k" }) {
  const r = await api("POST", "/v1/keys", { token, body });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json as { id: string; key: string; prefix: string; name: string; created_at: number };
}
const chat = (key: string) => api("POST", "/v1/chat/completions", { token: key, body: chatBody(MODEL) });

describe("signup, login, logout", () => {
  it("signs up, logs in, and a logged-out session is refused on the next request", async () => {
    const u = await signup();
    assert.match(u.accountId, /^acct_/);
    assert.equal(u.token.split(".").length, 3, "a JWT");
    assert.equal((await api("GET", "/v1/account", { token: u.token })).status, 200);
    const login = await api("POST", "/v1/auth/login", { body: { email: u.email.toUpperCase(), password: "correct horse battery" } });
    assert.equal(login.status, 200);
    const second = login.json.token as string;
    assert.equal((await api("POST", "/v1/auth/logout", { token: second })).status, 200);
    assert.equal((await api("GET", "/v1/account", { token: second })).status, 401);
    assert.equal((await api("GET", "/v1/account", { token: u.token })).status, 200, "other sessions live on");
  });

  it("refuses bad credentials the same way for unknown emails and wrong passwords", async () => {
    const u = await signup();
    const wrong = await api("POST", "/v1/auth/login", { body: { email: u.email, password: "wrong password" } });
    const unknown = await api("POST", "/v1/auth/login", { body: { email: "nobody@example.com", password: "wrong password" } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(unknown.json, wrong.json);
  });

  it("validates signup input and names the field", async () => {
    const bad = async (body: unknown, param: string | null, status = 400) => {
      const r = await api("POST", "/v1/auth/signup", { body });
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.equal(r.json.error?.param, param);
    };
    await bad("{not json", null);
    await bad({ email: 5, password: "long enough" }, "email");
    await bad({ email: "not-an-email", password: "long enough" }, "email");
    await bad({ email: "x@example.com", password: "short" }, "password");
    await bad({ email: "x@example.com", password: "x".repeat(257) }, "password");
    await bad({ email: "x@example.com", password: "long enough", referral_code: "REF-NOSUCH00" }, "referral_code");
    const u = await signup();
    await bad({ email: u.email.toUpperCase(), password: "long enough" }, "email", 409);
    assert.equal((await api("POST", "/v1/auth/login", { body: "[]" })).status, 400);
  });

  it("records the referrer and grants the signup credit", async () => {
    const referrer = await signup();
    const referred = await signup({ referral_code: referrer.referralCode.toLowerCase() });
    assert.equal(await coord.store.accounts.referrerOf(referred.accountId), referrer.accountId);
    assert.equal(await coord.store.accounts.referrerOf(referrer.accountId), null);
    const acct = await api("GET", "/v1/account", { token: referred.token });
    assert.deepEqual(acct.json.balance, { available_micros: 1_000_000, held_micros: 0, spent_micros: 0, available_usd: 1, held_usd: 0, spent_usd: 0 });
  });

});

describe("API keys", () => {
  it("creates (secret shown once), lists, renames, sets limits, rotates and revokes", async () => {
    const u = await signup();
    const k = await newKey(u.token, { name: "ci", limits: { requests_per_minute: 100 } });
    assert.match(k.key, /^sk-db-[0-9a-f]{64}$/);
    assert.equal(k.prefix, k.key.slice(0, 12));
    assert.equal(typeof k.created_at, "number");
    const list = await api("GET", "/v1/keys", { token: u.token });
    const listed = (list.json.data as Record<string, unknown>[])[0]!;
    assert.equal(listed.id, k.id);
    assert.equal(listed.name, "ci");
    assert.equal(listed.last_used_at, null);
    assert.ok(!JSON.stringify(list.json).includes(k.key.slice(12)), "the secret is never listed");

    assert.equal((await chat(k.key)).status, 200);
    const used = await api("GET", "/v1/keys", { token: k.key });
    assert.equal(used.status, 200, "an API key manages its own account's keys");
    assert.equal(typeof (used.json.data as Record<string, unknown>[])[0]!.last_used_at, "number");

    const patched = await api("PATCH", `/v1/keys/${k.id}`, { token: u.token, body: { name: "prod", limits: { requests_per_minute: null, daily_spend_micros: 5_000 } } });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.name, "prod");
    assert.deepEqual(patched.json.limits, { requests_per_minute: null, tokens_per_minute: null, daily_spend_micros: 5_000, weekly_spend_micros: null, monthly_spend_micros: null });
    const badPatch = await api("PATCH", `/v1/keys/${k.id}`, { token: u.token, body: { limits: { tokens_per_minute: "ten" } } });
    assert.equal(badPatch.status, 400);
    assert.equal(badPatch.json.error?.param, "limits.tokens_per_minute");
    assert.equal((await api("PATCH", `/v1/keys/${k.id}`, { token: u.token, body: "{" })).status, 400);

    const rotated = await api("POST", `/v1/keys/${k.id}/rotate`, { token: u.token });
    assert.equal(rotated.status, 200);
    const fresh = rotated.json.key as string;
    assert.notEqual(fresh, k.key);
    assert.equal((await chat(k.key)).status, 401, "the old secret is retired");
    assert.equal((await chat(fresh)).status, 200);

    assert.equal((await api("DELETE", `/v1/keys/${k.id}`, { token: u.token })).status, 200);
    assert.equal((await chat(fresh)).status, 401, "revoked on the very next request");
    assert.equal((await api("DELETE", `/v1/keys/${k.id}`, { token: u.token })).status, 404);
    assert.equal((await api("POST", `/v1/keys/${k.id}/rotate`, { token: u.token })).status, 404);
  });

  it("keeps accounts apart and needs credentials", async () => {
    const a = await signup();
    const b = await signup();
    const k = await newKey(a.token);
    assert.equal((await api("DELETE", `/v1/keys/${k.id}`, { token: b.token })).status, 404);
    assert.equal((await api("PATCH", `/v1/keys/${k.id}`, { token: b.token, body: { name: "mine" } })).status, 404);
    assert.equal((await api("POST", `/v1/keys/${k.id}/rotate`, { token: b.token })).status, 404);
    assert.deepEqual((await api("GET", "/v1/keys", { token: b.token })).json.data, []);
    assert.equal((await api("GET", "/v1/keys")).status, 401);
    assert.equal((await api("POST", "/v1/keys", { token: generateApiKey() })).status, 401);
    assert.equal((await api("POST", "/v1/keys", { token: a.token, body: { name: 7 } })).status, 400);
    assert.equal((await chat(k.key)).status, 200, "b's attempts changed nothing");
  });
});

describe("account, usage, erasure", () => {
  it("reports balance and per-key, per-day usage of the caller only", async () => {
    const u = await signup();
    const k1 = await newKey(u.token);
    const k2 = await newKey(u.token);
    for (const k of [k1, k1, k2]) assert.equal((await chat(k.key)).status, 200);
    const usage = await api("GET", "/v1/usage?days=7", { token: u.token });
    assert.equal(usage.status, 200);
    const rows = usage.json.data as { api_key_id: string; requests: number; cost_micros: number; date: string }[];
    assert.equal(rows.find((r) => r.api_key_id === k1.id)?.requests, 2);
    assert.equal(rows.find((r) => r.api_key_id === k2.id)?.requests, 1);
    assert.equal(rows[0]?.date, new Date(clock.now()).toISOString().slice(0, 10));
    const spent = rows.reduce((s, r) => s + r.cost_micros, 0);
    assert.ok(spent > 0);
    const acct = await api("GET", "/v1/account", { token: k2.key });
    const bal = acct.json.balance as Record<string, number>;
    assert.equal(bal.spent_micros, spent);
    assert.equal(bal.available_micros, 1_000_000 - spent);
    assert.equal(bal.held_micros, 0);
    const other = await signup();
    assert.deepEqual((await api("GET", "/v1/usage", { token: other.token })).json.data, []);
    for (const q of ["days=0", "days=abc", "start_date=2024-13-45", "start_date=2025-02-01&end_date=2025-01-01", "start_date=2020-01-01&end_date=2025-01-01"]) {
      assert.equal((await api("GET", `/v1/usage?${q}`, { token: u.token })).status, 400, q);
    }
  });

  it("erases an account: keys and sessions dead, login gone, balance kept on a balanced ledger", async () => {
    const u = await signup();
    const k = await newKey(u.token);
    assert.equal((await chat(k.key)).status, 200);
    const before = await coord.store.getBalance(u.accountId);
    const del = await api("DELETE", "/v1/account", { token: u.token });
    assert.equal(del.status, 200);
    assert.equal(del.json.deleted, true);
    assert.equal((await api("GET", "/v1/account", { token: u.token })).status, 401);
    assert.equal((await chat(k.key)).status, 401);
    assert.equal((await api("POST", "/v1/auth/login", { body: { email: u.email, password: "correct horse battery" } })).status, 401);
    const row = await coord.store.accounts.getUser(u.accountId);
    assert.equal(row?.email, null);
    assert.notEqual(row?.closedAt, null);
    assert.deepEqual(await coord.store.getBalance(u.accountId), before);
    assert.deepEqual(await coord.store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  });
});

describe("admin, models, stats", () => {
  it("lists accounts for the admin token only, paginated", async () => {
    await signup();
    await signup();
    assert.equal((await api("GET", "/v1/admin/accounts")).status, 401);
    const u = await signup();
    assert.equal((await api("GET", "/v1/admin/accounts", { token: u.token })).status, 401, "a session is not the admin token");
    const page = await api("GET", "/v1/admin/accounts?limit=2", { token: ADMIN });
    assert.equal(page.status, 200);
    assert.equal((page.json.data as unknown[]).length, 2);
    const next = await api("GET", `/v1/admin/accounts?limit=2&cursor=${page.json.next_cursor as string}`, { token: ADMIN });
    assert.equal(next.status, 200);
    const ids = new Set([...(page.json.data as { id: string }[]), ...(next.json.data as { id: string }[])].map((r) => r.id));
    assert.equal(ids.size, 4);
    assert.equal((await api("GET", "/v1/admin/accounts?limit=0", { token: ADMIN })).status, 400);
    assert.equal((await api("GET", "/v1/admin/accounts?cursor=x y", { token: ADMIN })).status, 400);
  });

  it("GET /v1/models/{id} takes ids with slashes; reserved words are not models", async () => {
    const u = await signup();
    const k = await newKey(u.token);
    const m = await api("GET", `/v1/models/${MODEL}`, { token: k.key });
    assert.equal(m.status, 200);
    assert.equal(m.json.id, MODEL);
    assert.equal(m.json.object, "model");
    assert.equal((await api("GET", "/v1/models/org/nope", { token: k.key })).status, 404);
    // `catalog` is a reserved word: its exact route (the model registry) wins over /v1/models/{id}.
    assert.equal((await api("GET", "/v1/models/catalog", { token: k.key })).json.object, "list");
    assert.equal((await api("GET", `/v1/models/${MODEL}`)).status, 401);
  });

  it("GET /v1/stats is public", async () => {
    const s = await api("GET", "/v1/stats");
    assert.equal(s.status, 200);
    assert.equal(s.json.providers_online, 1);
    assert.deepEqual(s.json.model_ids, [MODEL]);
    const day = s.json.last_24h as Record<string, number>;
    assert.ok(day.requests! > 0 && day.total_tokens! > 0);
  });
});

// Last: moving the clock two hours on makes the fake provider stale for routing.
describe("session expiry", () => {
  it("rejects expired, forged and logout-by-API-key tokens", async () => {
    const u = await signup();
    const [h, p] = u.token.split(".");
    assert.equal((await api("GET", "/v1/account", { token: `${h}.${p}.AAAA` })).status, 401, "bad signature");
    assert.equal((await api("GET", "/v1/account", { token: "not.a.jwt" })).status, 401);
    const k = await newKey(u.token);
    assert.equal((await api("POST", "/v1/auth/logout", { token: k.key })).status, 400);
    clock.advance(TTL_HOURS * 3_600_000);
    assert.equal((await api("GET", "/v1/account", { token: u.token })).status, 401, "expired");
    assert.equal((await api("GET", "/v1/account", { token: k.key })).status, 200, "API keys do not expire with sessions");
  });
});
