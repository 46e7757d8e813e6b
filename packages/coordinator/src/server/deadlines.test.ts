import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { FALLBACK_PRICE, costMicros, promptTokenEstimate } from "../billing/index.js";
import { FakeProvider, CANNED_USAGE, TEST_PROVIDER_TOKEN, cannedStream } from "../test-support/fake-provider.js";
import { manualClock } from "../test-support/manual-clock.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Deadlines on a fake clock: a provider that accepts and never answers, one that stalls
 * mid-stream, a request that outlives the hard maximum. No real waiting on any timeout.
 */
const KEY = generateApiKey();
const clock = manualClock();
let coord: RunningCoordinator;
const providers: FakeProvider[] = [];
const IDLE_MS = 2_000;
const MAX_S = 30;

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent", streamIdleTimeoutMs: IDLE_MS, maxRequestSeconds: MAX_S, speculativeDispatch: false },
    { clock },
  );
});

after(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await coord.close();
});

async function connect(opts: Parameters<typeof FakeProvider.connect>[1]): Promise<FakeProvider> {
  const p = await FakeProvider.connect(coord.url, opts);
  providers.push(p);
  // The first heartbeat (slot load) must be in before routing relies on it.
  await until(() => (coord.registry.get(p.id)?.slots.size ?? 0) > 0, "first heartbeat");
  return p;
}

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const post = (body: unknown) =>
  fetch(`${coord.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000), // every wait is bounded, the streamed body included
  });
const accountId = async () => (await coord.store.findApiKeyByHash(hashApiKey(KEY)))!.accountId;

async function settled(rid: string) {
  let rec = await coord.store.getRequest(rid);
  await until(async () => (rec = await coord.store.getRequest(rid))?.state !== "reserved", `settlement of ${rid}`);
  return rec!;
}

describe("deadlines (fake clock)", () => {
  it("fails over when a provider accepts and never sends a chunk; the consumer gets the second provider's answer", async () => {
    const silent = await connect({ models: ["ft"], behavior: () => "hang" });
    const good = await connect({ models: ["ft"], running: 3 }); // busier: tried second
    const res = post({ model: "ft", stream: true, messages: [{ role: "user", content: "hi" }] });
    await until(() => silent.requests.length === 1, "dispatch to the silent provider");
    clock.advance(4_000);
    assert.equal(good.requests.length, 0, "not before the first-token deadline");
    clock.advance(1_100); // 5 s + 1 ms per input token has passed
    const r = await res;
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-provider-id"), good.id);
    assert.equal(await r.text(), cannedStream("ft"));
    assert.deepEqual(silent.cancels.map((c) => c.reason), ["first-token deadline passed"]);
    const rec = await settled(good.requests[0]!.request_id);
    assert.equal(rec.providerId, good.id);
    assert.equal(rec.chargedMicros, costMicros(FALLBACK_PRICE, CANNED_USAGE.prompt_tokens, CANNED_USAGE.completion_tokens));
  });

  it("cancels a provider that stalls mid-stream, ends the stream with an error and bills the delivered tokens only", async () => {
    const staller = await connect({ models: ["stall"], behavior: () => "stall_mid_stream" });
    const body = { model: "stall", stream: true, messages: [{ role: "user", content: "hi" }] };
    const r = await post(body);
    assert.equal(r.status, 200);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readSome = async () => {
      const { value, done } = await reader.read();
      if (value) text += decoder.decode(value, { stream: true });
      return done;
    };
    while (!text.includes("Hello")) if (await readSome()) break;
    assert.ok(text.includes("Hello"), "the first delta arrived");
    clock.advance(IDLE_MS - 1);
    assert.equal(staller.cancels.length, 0, "not before the idle timeout");
    clock.advance(1);
    while (!(await readSome()));
    assert.match(text, /data: \{"error":\{"message":"The provider stopped sending mid-stream\."/);
    assert.ok(!text.includes("[DONE]"));
    await until(() => staller.cancels.length === 1, "cancel to the provider");
    assert.equal(staller.cancels[0]!.reason, "stream idle timeout");
    const rec = await settled(staller.requests[0]!.request_id);
    const estimate = promptTokenEstimate(Buffer.byteLength(JSON.stringify(body)));
    assert.equal(rec.completionTokens, 1, "one delta reached the consumer");
    assert.equal(rec.promptTokens, estimate);
    assert.equal(rec.chargedMicros, costMicros(FALLBACK_PRICE, estimate, 1));
  });

  it("never fails a slow provider before twice its expected prefill, and ends any request at the hard maximum", async () => {
    // 100 KB prompt ≈ 25,000 tokens at the fake's 100 tok/s prefill: ~500 s expected before the first
    // token, well beyond the SPEC's 5 s + 25 s; so only the hard maximum (30 s) ends it.
    const slow = await connect({ models: ["slowcpu"], behavior: () => "hang" });
    const before = await coord.store.getBalance(await accountId());
    const res = post({ model: "slowcpu", stream: true, messages: [{ role: "user", content: "x".repeat(100_000) }] });
    await until(() => slow.requests.length === 1, "dispatch");
    clock.advance(29_000);
    assert.equal(slow.cancels.length, 0, "a slow CPU provider is not failed spuriously");
    clock.advance(1_000);
    const r = await res;
    assert.equal(r.status, 504);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "request_timeout");
    await until(() => slow.cancels.length === 1, "cancel to the provider");
    assert.equal(slow.cancels[0]!.reason, "request exceeded its maximum duration");
    const rec = await settled(slow.requests[0]!.request_id);
    assert.equal(rec.chargedMicros, 0, "nothing delivered, nothing charged");
    assert.deepEqual(await coord.store.getBalance(await accountId()), { ...before, heldMicros: 0 });
  });
});
