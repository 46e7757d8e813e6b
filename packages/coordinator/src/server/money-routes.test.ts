import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { FALLBACK_PRICE, costMicros, promptTokenCap, worstCaseMicros } from "../billing/index.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** Prices, ownership, fee split, admin credit and invites through the HTTP API of a real coordinator. */
const ADMIN = "admin-token-0123456789abcdef";
const C_KEY = generateApiKey(); // the consumer (bootstrap account, $10)
const P_KEY = generateApiKey(); // the provider owner
let coord: RunningCoordinator;
let consumer: string;
let owner: string;
const providers: FakeProvider[] = [];

before(async () => {
  coord = await startCoordinator({
    port: 0,
    databaseUrl: "sqlite::memory:",
    bootstrapApiKey: C_KEY,
    bootstrapCreditUsd: 10,
    providerToken: TEST_PROVIDER_TOKEN,
    adminToken: ADMIN,
    platformFeePercent: 10,
    logLevel: "silent",
  });
  consumer = (await coord.store.findApiKeyByHash(hashApiKey(C_KEY)))!.accountId;
  owner = (await coord.store.createAccount({ label: "owner" })).id;
  await coord.store.createApiKey({ accountId: owner, keyHash: hashApiKey(P_KEY) });
  providers.push(
    await FakeProvider.connect(coord.url, { models: ["owned"], accountToken: P_KEY }),
    await FakeProvider.connect(coord.url, { models: ["announced"], accountToken: P_KEY, prices: [{ model: "announced", input_per_million: 2_000_000, output_per_million: 4_000_000 }] }),
    await FakeProvider.connect(coord.url, { models: ["tiny-ctx"], contextLength: 512 }),
  );
});

after(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await coord.close();
});

const call = (method: string, path: string, opts: { key?: string; body?: unknown; raw?: string } = {}) =>
  fetch(`${coord.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(opts.key && { authorization: `Bearer ${opts.key}` }) },
    ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined && { body: JSON.stringify(opts.body) }),
  });
const json = async (r: Response) => (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const chat = (key: string, model: string, extra: Record<string, unknown> = { max_tokens: 5 }) =>
  call("POST", "/v1/chat/completions", { key, body: { model, messages: [{ role: "user", content: "hi" }], ...extra } });

async function settled(rid: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rec = await coord.store.getRequest(rid);
    if (rec && rec.state !== "reserved") return rec;
    if (Date.now() > deadline) assert.fail(`request ${rid} was not settled`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function assertClean() {
  assert.deepEqual(await coord.store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  const audit = await coord.store.auditRequests();
  assert.deepEqual(audit.problems, []);
  assert.equal(audit.heldMicros, 0);
}

describe("pricing routes", () => {
  it("GET /v1/pricing is public and shows the fallback; a bad key is still refused", async () => {
    const r = await call("GET", "/v1/pricing");
    assert.equal(r.status, 200);
    const body = await json(r);
    assert.deepEqual(body.fallback, { input_per_million: 50_000, output_per_million: 200_000 });
    assert.equal(body.min_charge_micros, 100);
    assert.equal(body.platform_fee_percent, 10);
    const announced = body.data.find((d: { model: string }) => d.model === "announced");
    assert.equal(announced.source, "fallback");
    assert.deepEqual(announced.providers, { online: 1, input_per_million: { min: 2_000_000, max: 2_000_000 }, output_per_million: { min: 4_000_000, max: 4_000_000 } });
    assert.equal((await call("GET", "/v1/pricing", { key: "sk-db-bad" })).status, 401);
  });

  it("admin pricing needs the admin token and valid input naming the field", async () => {
    const price = { model: "owned", input_per_million: 100_000, output_per_million: 300_000 };
    assert.equal((await call("PUT", "/v1/admin/pricing", { body: price })).status, 401);
    assert.equal((await call("PUT", "/v1/admin/pricing", { key: C_KEY, body: price })).status, 401);
    for (const [bad, param] of [
      [{ ...price, input_per_million: -1 }, "input_per_million"],
      [{ ...price, output_per_million: 1.5 }, "output_per_million"],
      [{ ...price, model: "" }, "model"],
      [{ ...price, extra: 1 }, null],
    ] as const) {
      const r = await call("PUT", "/v1/admin/pricing", { key: ADMIN, body: bad });
      assert.equal(r.status, 400);
      assert.equal((await json(r)).error.param, param);
    }
    assert.equal((await call("PUT", "/v1/admin/pricing", { key: ADMIN, raw: "{nope" })).status, 400);
    assert.equal((await call("PUT", "/v1/admin/pricing", { key: ADMIN, raw: JSON.stringify({ ...price, model: "x".repeat(20_000) }) })).status, 413);
    assert.equal((await call("PUT", "/v1/admin/pricing", { key: ADMIN, body: { ...price, model: "platform-only" } })).status, 200);
    const listed = (await json(await call("GET", "/v1/pricing"))).data.find((d: { model: string }) => d.model === "platform-only");
    assert.deepEqual([listed.source, listed.input_per_million], ["platform", 100_000]);
    assert.equal((await call("DELETE", "/v1/admin/pricing?model=platform-only", { key: ADMIN })).status, 200);
    assert.equal((await call("DELETE", "/v1/admin/pricing?model=platform-only", { key: ADMIN })).status, 404);
    assert.equal((await call("DELETE", "/v1/admin/pricing", { key: ADMIN })).status, 400);
  });

  it("an owner's price applies to its providers; the consumer's debit == the owner's earnings + the 10% fee", async () => {
    assert.equal((await call("PUT", "/v1/pricing", { body: { model: "owned", input_per_million: 1, output_per_million: 1 } })).status, 401);
    const put = await call("PUT", "/v1/pricing", { key: P_KEY, body: { model: "owned", input_per_million: 1_000_000, output_per_million: 2_000_000 } });
    assert.equal(put.status, 200);
    const mine = (await json(await call("GET", "/v1/pricing", { key: P_KEY }))).mine;
    assert.deepEqual(mine, [{ model: "owned", input_per_million: 1_000_000, output_per_million: 2_000_000 }]);
    const before = await coord.store.getBalance(consumer);
    const r = await chat(C_KEY, "owned");
    assert.equal(r.status, 200);
    await r.text();
    const rec = await settled(providers[0]!.requests.at(-1)!.request_id);
    assert.equal(rec.chargedMicros, costMicros({ inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 }, rec.promptTokens!, rec.completionTokens!));
    const debit = before.availableMicros - (await coord.store.getBalance(consumer)).availableMicros;
    assert.equal(debit, rec.chargedMicros);
    const earned = (await coord.store.getEarnings(owner)).earningsMicros;
    assert.equal(earned, debit - Math.floor(debit / 10));
    await assertClean();
    assert.equal((await call("DELETE", "/v1/pricing?model=owned", { key: P_KEY })).status, 200);
    assert.equal((await call("DELETE", "/v1/pricing?model=owned", { key: P_KEY })).status, 404);
  });

  it("a provider's own announced price wins over its owner's", async () => {
    await call("PUT", "/v1/pricing", { key: P_KEY, body: { model: "announced", input_per_million: 1, output_per_million: 1 } });
    const r = await chat(C_KEY, "announced");
    assert.equal(r.status, 200);
    await r.text();
    const rec = await settled(providers[1]!.requests.at(-1)!.request_id);
    assert.equal(rec.chargedMicros, costMicros({ inputPerMillion: 2_000_000, outputPerMillion: 4_000_000 }, rec.promptTokens!, rec.completionTokens!));
    await assertClean();
  });

  it("the owner using its own provider pays nothing, even with no balance", async () => {
    assert.equal((await coord.store.getBalance(owner)).availableMicros, 0);
    const r = await chat(P_KEY, "owned");
    assert.equal(r.status, 200);
    await r.text();
    const rec = await settled(providers[0]!.requests.at(-1)!.request_id);
    assert.deepEqual([rec.reservedMicros, rec.chargedMicros], [0, 0]);
    assert.equal((await chat(P_KEY, "tiny-ctx")).status, 402, "someone else's provider needs a balance");
    await assertClean();
  });

  it("without max_tokens the hold is bounded by the model's context", async () => {
    const body = JSON.stringify({ model: "tiny-ctx", messages: [{ role: "user", content: "hi" }] });
    const r = await call("POST", "/v1/chat/completions", { key: C_KEY, raw: body });
    assert.equal(r.status, 200);
    await r.text();
    const rec = await settled(providers[2]!.requests.at(-1)!.request_id);
    const bytes = Buffer.byteLength(body);
    assert.equal(rec.reservedMicros, worstCaseMicros(FALLBACK_PRICE, promptTokenCap(bytes), 512 - Math.ceil(bytes / 4)));
  });

  it("a provider whose account token is not a valid key is refused at registration", async () => {
    await assert.rejects(FakeProvider.connect(coord.url, { models: ["x"], accountToken: generateApiKey() }), /account token not accepted/);
  });
});

describe("admin credit and invites", () => {
  it("POST /v1/admin/credit credits an existing account, idempotently per key", async () => {
    const body = { account_id: owner, amount_usd: 1.5, idempotency_key: "k1" };
    assert.equal((await call("POST", "/v1/admin/credit", { key: C_KEY, body })).status, 401);
    assert.equal((await call("POST", "/v1/admin/credit", { key: ADMIN, body: { ...body, account_id: "acct_nope" } })).status, 404);
    const bad = await call("POST", "/v1/admin/credit", { key: ADMIN, body: { ...body, amount_usd: "1" } });
    assert.equal((await json(bad)).error.param, "amount_usd");
    assert.equal((await call("POST", "/v1/admin/credit", { key: ADMIN, body: { ...body, amount_usd: -1 } })).status, 400);
    const first = await json(await call("POST", "/v1/admin/credit", { key: ADMIN, body }));
    assert.deepEqual([first.amount_micros, first.replay], [1_500_000, false]);
    const again = await json(await call("POST", "/v1/admin/credit", { key: ADMIN, body }));
    assert.equal(again.replay, true);
    assert.equal(again.balance.available_micros, 1_500_000);
    await assertClean();
  });

  it("invites: admin creates INV-<8 hex>; an account redeems once; the code runs out; bad input is refused", async () => {
    assert.equal((await call("POST", "/v1/admin/invites", { body: { amount_usd: 1 } })).status, 401);
    assert.equal((await call("POST", "/v1/admin/invites", { key: ADMIN, body: { amount_usd: 0 } })).status, 400);
    assert.equal((await call("POST", "/v1/admin/invites", { key: ADMIN, body: { amount_usd: 1, expires_at: "2001-01-01T00:00:00Z" } })).status, 400);
    const created = await call("POST", "/v1/admin/invites", { key: ADMIN, body: { amount_usd: 2, max_uses: 1, expires_at: "2999-01-01T00:00:00Z" } });
    assert.equal(created.status, 201);
    const invite = await json(created);
    assert.match(invite.code, /^INV-[0-9a-f]{8}$/);
    assert.equal((await call("POST", "/v1/invite/redeem", { body: { code: invite.code } })).status, 401);
    const ok = await json(await call("POST", "/v1/invite/redeem", { key: P_KEY, body: { code: invite.code.toUpperCase().replace("INV-", "inv-") } }));
    assert.deepEqual([ok.credited_micros, ok.replay], [2_000_000, false]);
    const replay = await json(await call("POST", "/v1/invite/redeem", { key: P_KEY, body: { code: invite.code } }));
    assert.equal(replay.replay, true);
    assert.equal((await coord.store.getBalance(owner)).availableMicros, 3_500_000, "credited once");
    assert.equal((await call("POST", "/v1/invite/redeem", { key: C_KEY, body: { code: invite.code } })).status, 409);
    assert.equal((await call("POST", "/v1/invite/redeem", { key: C_KEY, body: { code: "INV-00000000" } })).status, 404);
    assert.equal((await call("POST", "/v1/invite/redeem", { key: C_KEY, body: { code: "free money" } })).status, 400);
    await coord.store.createInvite({ code: "INV-0000dead", amountMicros: 1, maxUses: 5, expiresAt: 1 });
    assert.equal((await call("POST", "/v1/invite/redeem", { key: C_KEY, body: { code: "INV-0000dead" } })).status, 410);
    await assertClean();
  });
});
