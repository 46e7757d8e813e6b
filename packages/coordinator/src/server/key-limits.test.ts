import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { apiClient, chatBody } from "../test-support/api-client.js";
import { CANNED_USAGE, FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { periodEnd } from "../limits/index.js";
import { manualClock } from "../test-support/manual-clock.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** Per-key limits on the inference path: 429 + Retry-After + x-ratelimit-* (fake clock, no waiting). */
const KEY = generateApiKey();
// Near real time (attestation timestamps are checked against it); advanced < 5 min in total.
const clock = manualClock();
let coord: RunningCoordinator;
const providers: FakeProvider[] = [];
const api = apiClient(() => coord.url);

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent" },
    { clock },
  );
  for (const [model, behavior] of [["m", "reply"], ["slow", "hang"]] as const) {
    const p = await FakeProvider.connect(coord.url, { models: [model], behavior: () => behavior });
    providers.push(p);
    await waitUntil("first heartbeat", () => (coord.registry.get(p.id)?.slots.size ?? 0) > 0);
  }
});

after(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await coord.close();
});

/** A key of the bootstrap account with these limits (managed through the store, as PATCH does). */
async function keyWith(limits: Record<string, number>): Promise<string> {
  const accountId = (await coord.store.findApiKeyByHash(hashApiKey(KEY)))!.accountId;
  const key = generateApiKey();
  await coord.store.keys.create({ accountId, keyHash: hashApiKey(key), name: "limited", prefix: key.slice(0, 12), limits });
  return key;
}
const chat = (key: string, model = "m") => api("POST", "/v1/chat/completions", { token: key, body: chatBody(model) });

describe("per-key limits", () => {
  // First, before the clock moves (a provider last seen "minutes ago" is not routed to).
  it("a held (in-flight) reservation counts against the cap", async () => {
    const key = await keyWith({ monthlyMicros: 50 });
    const controller = new AbortController();
    const hung = fetch(`${coord.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(chatBody("slow")),
      signal: controller.signal,
    }).catch(() => undefined);
    await waitUntil("the hung request's reservation", () => providers[1]!.requests.length > 0);
    const refused = await chat(key);
    assert.equal(refused.status, 429, "spend = the other request's hold");
    assert.equal(refused.json.error?.code, "key_spend_limit_exceeded");
    controller.abort();
    await hung;
  });

  it("requests per minute: headers on every answer, 429 with Retry-After past the limit, free again a minute later", async () => {
    const key = await keyWith({ requestsPerMinute: 2 });
    const first = await chat(key);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("x-ratelimit-limit-requests"), "2");
    assert.equal(first.headers.get("x-ratelimit-remaining-requests"), "1");
    assert.equal(first.headers.get("x-ratelimit-reset-requests"), "1m0s");
    clock.advance(10_000);
    assert.equal((await chat(key)).headers.get("x-ratelimit-remaining-requests"), "0");
    const refused = await chat(key);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error?.code, "rate_limit_exceeded");
    assert.equal(refused.headers.get("retry-after"), "50", "the first request leaves the window 50 s from now");
    assert.equal(refused.headers.get("x-ratelimit-remaining-requests"), "0");
    clock.advance(50_000);
    assert.equal((await chat(key)).status, 200);
  });

  it("tokens per minute: counted from settled usage, 429 once the minute's tokens are used", async () => {
    const perRequest = CANNED_USAGE.prompt_tokens + CANNED_USAGE.completion_tokens;
    const key = await keyWith({ tokensPerMinute: perRequest + 1 });
    const ok = await chat(key);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("x-ratelimit-limit-tokens"), String(perRequest + 1));
    assert.equal(ok.headers.get("x-ratelimit-remaining-tokens"), String(perRequest + 1));
    const second = await chat(key);
    assert.equal(second.status, 200, "one token left: still admitted");
    assert.equal(second.headers.get("x-ratelimit-remaining-tokens"), "1");
    const refused = await chat(key);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("x-ratelimit-remaining-tokens"), "0");
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    clock.advance(60_000);
    assert.equal((await chat(key)).status, 200);
  });

  it("daily spend cap: settled spend counts, 429 until the next UTC day", async () => {
    const key = await keyWith({ dailyMicros: 1 });
    assert.equal((await chat(key)).status, 200, "nothing spent yet");
    const refused = await chat(key);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error?.code, "key_spend_limit_exceeded");
    const untilMidnight = Math.ceil((periodEnd("day", clock.now()) - clock.now()) / 1000);
    assert.equal(refused.headers.get("retry-after"), String(Math.max(1, untilMidnight)), "until midnight UTC");
    assert.equal((await chat(KEY)).status, 200, "other keys of the account are not capped");
  });

  it("a revoked key is refused before any limit is consulted", async () => {
    const key = await keyWith({ requestsPerMinute: 100 });
    const rec = await coord.store.findApiKeyByHash(hashApiKey(key));
    await coord.store.revokeApiKey(rec!.id);
    assert.equal((await chat(key)).status, 401);
  });
});
