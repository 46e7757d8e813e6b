import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ModelCapacityListSchema, type ModelCapacity } from "@darkbloom/protocol";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { manualClock } from "../test-support/manual-clock.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Admission through the HTTP API on a fake clock: one single-slot provider that never answers
 * holds the slot, the next request queues, further ones get an early 429 in their API family's
 * shape, the queued one gets 429 when its wait runs out, and nothing reserved stays held.
 */
const KEY = generateApiKey();
const MODEL = "busy";
const MAX_WAIT_MS = 10_000;
const clock = manualClock();
let coord: RunningCoordinator;
let provider: FakeProvider;

before(async () => {
  coord = await startCoordinator(
    {
      port: 0,
      databaseUrl: "sqlite::memory:",
      bootstrapApiKey: KEY,
      bootstrapCreditUsd: 10,
      providerToken: TEST_PROVIDER_TOKEN,
      logLevel: "silent",
      queueDepth: 1,
      queueMaxWaitMs: MAX_WAIT_MS,
      speculativeDispatch: false,
      cancelSettleMs: 50,
      // The silent provider keeps its slot through the queue wait (no first-token failover).
      firstTokenBaseMs: 60_000,
    },
    { clock },
  );
  provider = await FakeProvider.connect(coord.url, { models: [MODEL], behavior: () => "hang", maxConcurrency: 1 });
  await waitUntil("first heartbeat", () => (coord.registry.get(provider.id)?.slots.size ?? 0) > 0 || undefined);
});

after(async () => {
  await provider.close();
  await coord.close();
});

const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
const chat = (signal?: AbortSignal) =>
  fetch(`${coord.url}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ model: MODEL, stream: true, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    signal: signal ?? AbortSignal.timeout(15_000),
  });

async function capacity(): Promise<ModelCapacity> {
  const r = await fetch(`${coord.url}/v1/models/capacity`, { headers });
  assert.equal(r.status, 200);
  const list = ModelCapacityListSchema.parse(await r.json());
  const entry = list.data.find((m) => m.id === MODEL);
  assert.ok(entry);
  return entry;
}

const accountId = async () => (await coord.store.findApiKeyByHash(hashApiKey(KEY)))!.accountId;

describe("admission over HTTP (fake clock)", () => {
  it("queues behind a full slot, refuses early with 429 + Retry-After in each API's shape, times the queue out with 429, and holds nothing", async () => {
    const before = await coord.store.getBalance(await accountId());
    const holder = new AbortController();
    const first = chat(holder.signal).catch(() => undefined);
    await waitUntil("the first request on the provider", () => provider.requests.length === 1 || undefined);

    const queued = chat();
    await waitUntil("the second request to queue", async () => ((await capacity()).queued_requests === 1 ? true : undefined));
    const cap = await capacity();
    assert.equal(cap.active_requests, 1);
    assert.equal(cap.can_accept, false, "the queue (depth 1) is full");
    assert.equal(cap.queue_limit, 1);

    const early = await chat();
    assert.equal(early.status, 429);
    assert.equal(early.headers.get("retry-after"), "3", "clamp(1 × 3, 2, 30)");
    const body = (await early.json()) as { error: { type: string; code: string } };
    assert.equal(body.error.type, "rate_limit_error");
    assert.equal(body.error.code, "capacity_exceeded");

    const anthropic = await fetch(`${coord.url}/v1/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ model: MODEL, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(anthropic.status, 429);
    assert.ok(Number(anthropic.headers.get("retry-after")) >= 2);
    assert.deepEqual(((await anthropic.json()) as { type: string; error: { type: string } }).error.type, "rate_limit_error");

    clock.advance(MAX_WAIT_MS);
    const timedOut = await queued;
    assert.equal(timedOut.status, 429, "the queued request waited its limit");
    assert.ok(Number(timedOut.headers.get("retry-after")) >= 2);
    assert.match(timedOut.headers.get("x-timing") ?? "", /(^|,)queue=/);
    await timedOut.text();
    assert.equal(provider.requests.length, 1, "refused requests never reached the provider");

    holder.abort();
    await first;
    await waitUntil("the provider to be cancelled", () => provider.cancels.length === 1 || undefined);
    clock.advance(100);
    const id = await accountId();
    await waitUntil("nothing held", async () => ((await coord.store.getBalance(id)).heldMicros === 0 ? true : undefined));
    assert.deepEqual(await coord.store.getBalance(id), before, "nothing charged: nothing was delivered");
    assert.deepEqual((await coord.store.auditRequests()).problems, []);
    assert.equal((await capacity()).queued_requests, 0);
  });

  it("a waiting consumer that disconnects leaves the queue", async () => {
    await waitUntil("the slot to be free", async () => ((await capacity()).active_requests === 0 ? true : undefined));
    const holder = new AbortController();
    const first = chat(holder.signal).catch(() => undefined);
    await waitUntil("the first request on the provider", () => provider.requests.length === 2 || undefined);
    const leaver = new AbortController();
    const waiting = chat(leaver.signal).catch(() => "aborted");
    await waitUntil("it to queue", async () => ((await capacity()).queued_requests === 1 ? true : undefined));
    leaver.abort();
    assert.equal(await waiting, "aborted");
    await waitUntil("it to leave the queue", async () => ((await capacity()).queued_requests === 0 ? true : undefined));
    holder.abort();
    await first;
    clock.advance(100);
    const id = await accountId();
    await waitUntil("nothing held", async () => ((await coord.store.getBalance(id)).heldMicros === 0 ? true : undefined));
  });
});
