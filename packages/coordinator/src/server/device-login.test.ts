import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CLOSE_BAD_ACCOUNT_TOKEN,
  DEVICE_CODE_GRANT_TYPE,
  encodeBase64,
  generateIdentityKeyPair,
  signDeviceCodeRequest,
  type DeviceCodeResponse,
  type IdentityKeyPair,
  type ProviderEarnings,
} from "@darkbloom/protocol";
import { generateApiKey } from "../auth/index.js";
import { LEDGER } from "../store/index.js";
import { providerIdFor } from "../ws/provider-id.js";
import { waitUntil } from "../test-support/wait.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { upgradeStatus } from "../test-support/scripted-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** Device login (RFC 8628) end to end in one process: codes, approval, the account token on the upgrade, earnings moving on linking. */
const KEY = generateApiKey();
let coord: RunningCoordinator;
const providers: FakeProvider[] = [];

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent" },
    {},
  );
});

after(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await coord.close();
});

const json = (body: unknown, auth?: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...(auth !== undefined && { authorization: `Bearer ${auth}` }) },
  body: JSON.stringify(body),
});
const post = (path: string, body: unknown, auth?: string) => fetch(`${coord.url}${path}`, json(body, auth));
const tokenPoll = (deviceCode: string) =>
  fetch(`${coord.url}/v1/device/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode }).toString(),
  });
const oauthError = async (res: Response) => ((await res.json()) as { error: string }).error;

async function signup(email: string): Promise<{ token: string; accountId: string }> {
  const res = await post("/v1/auth/signup", { email, password: "correct horse battery staple" });
  assert.equal(res.status, 201);
  const body = (await res.json()) as { token: string; account_id: string };
  return { token: body.token, accountId: body.account_id };
}

async function deviceCode(identity: IdentityKeyPair): Promise<DeviceCodeResponse> {
  const res = await post("/v1/device/code", { ...signDeviceCodeRequest(encodeBase64(identity.publicKey), identity.secretKey, Date.now()), client_name: "test box" });
  assert.equal(res.status, 200);
  return (await res.json()) as DeviceCodeResponse;
}

async function chat(model: string): Promise<void> {
  const res = await post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }], max_tokens: 4 }, KEY);
  assert.equal(res.status, 200);
  await res.text();
}

describe("device login", () => {
  it("refuses unsigned, stale and replayed device-code requests", async () => {
    const id = await generateIdentityKeyPair();
    const other = await generateIdentityKeyPair();
    const ik = encodeBase64(id.publicKey);
    const forged = { ...signDeviceCodeRequest(ik, other.secretKey, Date.now()) };
    assert.equal((await post("/v1/device/code", forged)).status, 400, "signed by another key");
    assert.equal((await post("/v1/device/code", signDeviceCodeRequest(ik, id.secretKey, Date.now() - 5 * 60_000))).status, 400, "stale");
    const signed = signDeviceCodeRequest(ik, id.secretKey, Date.now());
    assert.equal((await post("/v1/device/code", signed)).status, 200);
    const replay = await post("/v1/device/code", signed);
    assert.equal(replay.status, 409, "the same signed request twice");
  });

  it("code → pending → slow_down → approve (session) → one account token; the token registers this identity only, linked", async () => {
    const identity = await generateIdentityKeyPair();
    const owner = await signup("owner@example.com");
    const dc = await deviceCode(identity);
    assert.match(dc.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(dc.verification_uri, `${coord.url}/link`);
    assert.equal(dc.verification_uri_complete, `${coord.url}/link?user_code=${dc.user_code}`);
    assert.deepEqual([dc.expires_in, dc.interval], [600, 5]);
    assert.equal(await oauthError(await tokenPoll(dc.device_code)), "authorization_pending");
    assert.equal(await oauthError(await tokenPoll(dc.device_code)), "slow_down", "polled again at once");
    const viaJson = await fetch(`${coord.url}/v1/device/token`, json({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: "nope" }));
    assert.equal(await oauthError(viaJson), "invalid_grant", "JSON accepted too");
    assert.equal(await oauthError(await post("/v1/device/token", { grant_type: "password", device_code: "x" })), "unsupported_grant_type");

    assert.equal((await post("/v1/device/approve", { user_code: dc.user_code })).status, 401, "not logged in");
    assert.equal((await post("/v1/device/approve", { user_code: "BBBB-BBBB" }, owner.token)).status, 404);
    const approved = await post("/v1/device/approve", { user_code: dc.user_code.toLowerCase() }, owner.token);
    assert.equal(approved.status, 200);
    assert.equal(((await approved.json()) as { device_id: string }).device_id, providerIdFor(encodeBase64(identity.publicKey)));
    assert.equal((await post("/v1/device/approve", { user_code: dc.user_code }, owner.token)).status, 409);

    // Approved: the next poll (after the interval) gets the token, once.
    await new Promise((r) => setTimeout(r, 10_100));
    const issued = await tokenPoll(dc.device_code);
    assert.equal(issued.status, 200);
    assert.equal(issued.headers.get("cache-control"), "no-store");
    const grant = (await issued.json()) as { access_token: string; token_type: string; account_id: string };
    assert.match(grant.access_token, /^dbat-[0-9a-f]{64}$/);
    assert.deepEqual([grant.token_type, grant.account_id], ["Bearer", owner.accountId]);
    assert.equal(await oauthError(await tokenPoll(dc.device_code)), "invalid_grant", "single use");

    // The token is the upgrade's bearer (no enrollment token): linked to the owner.
    const p = await FakeProvider.connect(coord.url, { models: ["linked-model"], identity, token: grant.access_token });
    providers.push(p);
    assert.equal(coord.registry.get(p.id)?.ownerAccountId, owner.accountId);
    // Another identity with the same token is refused for good.
    await assert.rejects(FakeProvider.connect(coord.url, { models: ["stolen"], token: grant.access_token }), new RegExp(`closed before registered: ${CLOSE_BAD_ACCOUNT_TOKEN}`));
    // Logout revokes it: the upgrade is then a 401 saying so.
    assert.equal((await post("/v1/device/revoke", {}, grant.access_token)).status, 200);
    const refused = await upgradeStatus(coord.url, `Bearer ${grant.access_token}`);
    assert.equal(refused.status, 401);
    assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, "invalid_account_token");
    assert.equal((await post("/v1/device/revoke", {}, grant.access_token)).status, 401);
  });

  it("a denied code answers access_denied", async () => {
    const owner = await signup("denier@example.com");
    const dc = await deviceCode(await generateIdentityKeyPair());
    assert.equal((await post("/v1/device/deny", { user_code: dc.user_code }, owner.token)).status, 200);
    assert.equal(await oauthError(await tokenPoll(dc.device_code)), "access_denied");
  });

  it("earnings before linking accrue to the identity and move to the account on approval; per device and day", async () => {
    const identity = await generateIdentityKeyPair();
    const device = providerIdFor(encodeBase64(identity.publicKey));
    const p = await FakeProvider.connect(coord.url, { models: ["earn-model"], identity });
    providers.push(p);
    await chat("earn-model");
    await waitUntil("settled", async () => (await coord.store.devices.pendingEarnings(device)) > 0);
    const pending = await coord.store.devices.pendingEarnings(device);

    const owner = await signup("earner@example.com");
    const before = (await post("/v1/device/approve", { user_code: (await deviceCode(identity)).user_code }, owner.token)).json() as Promise<{ moved_micros: number }>;
    assert.equal((await before).moved_micros, pending);
    assert.equal(await coord.store.devices.pendingEarnings(device), 0);
    // The running, unlinked connection now earns for the account too.
    await chat("earn-model");
    await waitUntil("second settled", async () => (await coord.store.getEarnings(owner.accountId)).earningsMicros > pending);
    const earned = (await coord.store.getEarnings(owner.accountId)).earningsMicros;

    const res = await fetch(`${coord.url}/v1/provider/earnings`, { headers: { authorization: `Bearer ${owner.token}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as ProviderEarnings;
    assert.equal(body.balance_micros, earned);
    assert.equal(body.earned_micros, earned);
    const dev = body.devices.find((d) => d.device_id === device);
    assert.equal(dev?.identity_key, encodeBase64(identity.publicKey));
    assert.equal(dev?.requests, 2);
    assert.equal(dev?.days.length, 1);
    assert.equal(dev?.days[0]?.day, new Date().toISOString().slice(0, 10));
    assert.equal(dev?.days[0]?.earned_micros, earned);
    assert.equal((await fetch(`${coord.url}/v1/provider/earnings?days=0`, { headers: { authorization: `Bearer ${owner.token}` } })).status, 400);
    assert.deepEqual(await coord.store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
    assert.deepEqual((await coord.store.auditRequests()).problems, []);
    assert.equal(LEDGER.device(device), `provider:${device}:earnings`);
    // A new connection of the linked identity, with no credential at all, is the account's too.
    const again = await FakeProvider.connect(coord.url, { models: ["earn-model"], identity });
    providers.push(again);
    assert.equal(coord.registry.get(again.id)?.ownerAccountId, owner.accountId);
    assert.equal(coord.registry.get(p.id)?.ownerAccountId ?? null, null, "the connection made before linking keeps its registration");
  });

  it("serves the Link page with a strict CSP and no inline script", async () => {
    const res = await fetch(`${coord.url}/link?user_code=BCDF-GHJK`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]/, "no inline script");
    assert.match(html, /src="\/link\/link\.js"/);
    const js = await fetch(`${coord.url}/link/link.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    assert.match(await js.text(), /\/v1\/device\//);
  });
});

describe("device login under attack", () => {
  it("guessing user codes: wrong codes count against the account, then 429 with Retry-After", async () => {
    const guesser = await signup("guesser@example.com");
    for (let i = 0; i < 10; i++) assert.equal((await post("/v1/device/approve", { user_code: "BBBB-BBBB" }, guesser.token)).status, 404);
    const limited = await post("/v1/device/approve", { user_code: "BBBB-BBBB" }, guesser.token);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    // Even a right code waits: the limit is per account, not per guess.
    const dc = await deviceCode(await generateIdentityKeyPair());
    assert.equal((await post("/v1/device/approve", { user_code: dc.user_code }, guesser.token)).status, 429);
  });
});
