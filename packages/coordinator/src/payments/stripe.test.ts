import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Stripe from "stripe";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { startCoordinator, type RunningCoordinator } from "../server/coordinator.js";
import { TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { StripeRecorder, type RecordedCall, type Reply } from "../test-support/stripe-recorder.js";

/**
 * Stripe through the official SDK: outbound calls go to a local recorder (DARKBLOOM_STRIPE_API_BASE),
 * webhooks are signed with the SDK's test-header helper. The same production code path.
 */
const KEY = generateApiKey();
const SECRET = "sk_test_darkbloom";
const WHSEC = "whsec_test_darkbloom";
let coord: RunningCoordinator;
let bare: RunningCoordinator;
let recorder: StripeRecorder;
let account: string;
let transferReply: Reply = { status: 200, body: { id: "tr_1", object: "transfer" } };

function reply(call: RecordedCall): Reply {
  if (call.path === "/v1/checkout/sessions") return { status: 200, body: { id: "cs_test_1", object: "checkout.session", url: "https://checkout.example/cs_test_1" } };
  if (call.path === "/v1/accounts") return { status: 200, body: { id: "acct_connect1", object: "account" } };
  if (call.path === "/v1/account_links") return { status: 200, body: { object: "account_link", url: "https://connect.example/onboard" } };
  if (call.path === "/v1/transfers") return transferReply;
  return { status: 404, body: { error: { type: "invalid_request_error", message: "unknown path" } } };
}

before(async () => {
  recorder = await StripeRecorder.start(reply);
  const base = { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 1, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent" } as const;
  coord = await startCoordinator({ ...base, stripeSecretKey: SECRET, stripeWebhookSecret: WHSEC, stripeApiBase: recorder.url });
  bare = await startCoordinator(base);
  account = (await coord.store.findApiKeyByHash(hashApiKey(KEY)))!.accountId;
});

after(async () => {
  await coord.close();
  await bare.close();
  await recorder.close();
});

const post = (c: RunningCoordinator, path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) =>
  fetch(`${c.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
const json = async (r: Response) => (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const available = async () => (await coord.store.getBalance(account)).availableMicros;

function event(id: string, session: Record<string, unknown>, type = "checkout.session.completed") {
  return JSON.stringify({ id, object: "event", type, data: { object: { object: "checkout.session", ...session } } });
}
const signed = (payload: string, secret = WHSEC) => ({ "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret }) });

describe("stripe not configured", () => {
  it("every Stripe route answers 501 naming the setting", async () => {
    for (const [path, setting] of [
      ["/v1/billing/stripe/checkout", "DARKBLOOM_STRIPE_SECRET_KEY"],
      ["/v1/billing/stripe/connect", "DARKBLOOM_STRIPE_SECRET_KEY"],
      ["/v1/billing/withdraw", "DARKBLOOM_STRIPE_SECRET_KEY"],
      ["/v1/billing/stripe/webhook", "DARKBLOOM_STRIPE_WEBHOOK_SECRET"],
    ] as const) {
      const r = await post(bare, path, {});
      assert.equal(r.status, 501, path);
      assert.match((await json(r)).error.message, new RegExp(setting));
    }
  });
});

describe("deposits", () => {
  it("checkout creates a Stripe session through the SDK and credits nothing by itself", async () => {
    const before = await available();
    assert.equal((await post(coord, "/v1/billing/stripe/checkout", { amount_usd: 5 }, {})).status, 401);
    const urls = { success_url: "https://app.example/ok", cancel_url: "https://app.example/no" };
    const low = await post(coord, "/v1/billing/stripe/checkout", { amount_usd: 0.49, ...urls });
    assert.equal(low.status, 400);
    assert.equal((await json(low)).error.param, "amount_usd");
    assert.equal((await json(await post(coord, "/v1/billing/stripe/checkout", { amount_usd: 5, success_url: "javascript:x", cancel_url: urls.cancel_url }))).error.param, "success_url");
    const r = await post(coord, "/v1/billing/stripe/checkout", { amount_usd: 5, ...urls });
    assert.equal(r.status, 201);
    assert.deepEqual(await json(r), { object: "checkout.session", id: "cs_test_1", url: "https://checkout.example/cs_test_1", amount_usd: 5 });
    const call = recorder.calls.find((c) => c.path === "/v1/checkout/sessions")!;
    assert.equal(call.method, "POST");
    assert.equal(call.authorization, `Bearer ${SECRET}`);
    assert.ok(call.idempotencyKey);
    assert.equal(call.form.get("mode"), "payment");
    assert.equal(call.form.get("line_items[0][price_data][unit_amount]"), "500");
    assert.equal(call.form.get("line_items[0][price_data][currency]"), "usd");
    assert.equal(call.form.get("metadata[account_id]"), account);
    assert.equal(call.form.get("success_url"), urls.success_url);
    assert.equal(await available(), before);
  });

  it("a verified webhook credits the deposit once; a replay, a forged or tampered event changes nothing", async () => {
    const before = await available();
    const paid = { id: "cs_test_9", payment_status: "paid", amount_total: 500, currency: "usd", metadata: { account_id: account } };
    const payload = event("evt_1", paid);
    const headers = signed(payload);
    const first = await post(coord, "/v1/billing/stripe/webhook", payload, headers);
    assert.equal(first.status, 200);
    assert.deepEqual(await json(first), { received: true, handled: true, replay: false });
    assert.equal(await available(), before + 5_000_000);
    // Replayed (same event, same signature): a no-op.
    assert.deepEqual(await json(await post(coord, "/v1/billing/stripe/webhook", payload, headers)), { received: true, handled: true, replay: true });
    // The same session announced by another event id (async success) is still one deposit.
    const other = event("evt_2", paid, "checkout.session.async_payment_succeeded");
    assert.equal((await json(await post(coord, "/v1/billing/stripe/webhook", other, signed(other)))).replay, true);
    // Forged: signed with another secret. Tampered: the amount raised under a valid header. No header.
    const forged = event("evt_3", { ...paid, id: "cs_forged" });
    assert.equal((await post(coord, "/v1/billing/stripe/webhook", forged, signed(forged, "whsec_attacker"))).status, 400);
    const tampered = payload.replace('"amount_total":500', '"amount_total":500000');
    assert.equal((await post(coord, "/v1/billing/stripe/webhook", tampered, headers)).status, 400);
    assert.equal((await post(coord, "/v1/billing/stripe/webhook", payload, {})).status, 400);
    // Not paid yet: nothing credited.
    const unpaid = event("evt_4", { ...paid, id: "cs_test_10", payment_status: "unpaid" });
    assert.equal((await json(await post(coord, "/v1/billing/stripe/webhook", unpaid, signed(unpaid)))).handled, false);
    assert.equal(await available(), before + 5_000_000);
    assert.deepEqual(await coord.store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  });
});

describe("payouts", () => {
  it("withdraw needs a connected account, then pays earnings with a Connect transfer; a refused transfer is reversed", async () => {
    assert.equal((await post(coord, "/v1/billing/withdraw", { amount_usd: 0.01 })).status, 409);
    const urls = { return_url: "https://app.example/done", refresh_url: "https://app.example/again" };
    const c1 = await json(await post(coord, "/v1/billing/stripe/connect", urls));
    assert.deepEqual(c1, { object: "connect.onboarding", stripe_account_id: "acct_connect1", url: "https://connect.example/onboard" });
    await post(coord, "/v1/billing/stripe/connect", urls);
    assert.equal(recorder.calls.filter((c) => c.path === "/v1/accounts").length, 1, "the Connect account is created once");
    assert.equal(recorder.calls.filter((c) => c.path === "/v1/account_links").length, 2);

    assert.equal((await post(coord, "/v1/billing/withdraw", { amount_usd: 0.01 })).status, 402, "no earnings yet");
    // Earn 30,000 µUSD as a provider owner: a request another account paid for, settled with a split.
    const payer = (await coord.store.createAccount({})).id;
    await coord.store.credit({ accountId: payer, amountMicros: 100_000, idempotencyKey: "payer", kind: "grant" });
    await coord.store.reserve({ requestId: "earn1", accountId: payer, amountMicros: 30_000, model: "m" });
    await coord.store.settle({
      requestId: "earn1",
      chargeMicros: 30_000,
      promptTokens: 1,
      completionTokens: 1,
      providerId: "p",
      outcome: "completed",
      split: { providerAccountId: account, providerMicros: 30_000, platformFeeMicros: 0, referrerAccountId: null, referralMicros: 0 },
    });
    assert.equal((await json(await post(coord, "/v1/billing/withdraw", { amount_usd: 0.015 }))).error.param, "amount_usd");
    const w = await json(await post(coord, "/v1/billing/withdraw", { amount_usd: 0.02 }));
    assert.equal(w.state, "paid");
    assert.equal(w.transfer_id, "tr_1");
    assert.equal(w.earnings.earnings_micros, 10_000);
    const t = recorder.calls.filter((c) => c.path === "/v1/transfers").at(-1)!;
    assert.deepEqual([t.form.get("amount"), t.form.get("currency"), t.form.get("destination")], ["2", "usd", "acct_connect1"]);
    assert.ok(t.idempotencyKey?.startsWith("withdrawal:"));

    transferReply = { status: 400, body: { error: { type: "invalid_request_error", message: "Insufficient funds in Stripe account." } } };
    const refused = await post(coord, "/v1/billing/withdraw", { amount_usd: 0.01 });
    assert.equal(refused.status, 502);
    assert.equal((await json(refused)).error.code, "payout_failed");
    assert.equal((await coord.store.getEarnings(account)).earningsMicros, 10_000, "reversed");

    transferReply = { status: 500, body: { error: { type: "api_error", message: "boom" } } };
    const unknown = await post(coord, "/v1/billing/withdraw", { amount_usd: 0.01 });
    assert.equal((await json(unknown)).error.code, "payout_pending");
    assert.equal((await coord.store.getEarnings(account)).earningsMicros, 0, "an unknown outcome is never paid twice");
    transferReply = { status: 200, body: { id: "tr_1", object: "transfer" } };
    assert.deepEqual(await coord.store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  });
});
