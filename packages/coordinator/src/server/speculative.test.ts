import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { FALLBACK_PRICE, costMicros } from "../billing/index.js";
import { CANNED_USAGE, FakeProvider, TEST_PROVIDER_TOKEN, cannedStream } from "../test-support/fake-provider.js";
import { manualClock } from "../test-support/manual-clock.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Speculative TTFT dispatch through the whole coordinator on a fake clock: the first provider
 * accepts and stays silent; at half its first-token deadline a backup goes to the other one,
 * whose answer the consumer gets. The silent one is cancelled, and only the backup is billed.
 */
const KEY = generateApiKey();
const clock = manualClock();
let coord: RunningCoordinator;
const providers: FakeProvider[] = [];

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent" },
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
  await waitUntil("first heartbeat", () => (coord.registry.get(p.id)?.slots.size ?? 0) > 0 || undefined);
  return p;
}

describe("speculative dispatch (fake clock)", () => {
  it("a backup at half the first-token deadline answers; the silent provider is cancelled and not billed", async () => {
    const silent = await connect({ models: ["spec"], behavior: () => "hang" });
    const backup = await connect({ models: ["spec"], running: 3 }); // busier: the router's second choice
    const res = fetch(`${coord.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "spec", stream: true, messages: [{ role: "user", content: "hi" }] }),
      signal: AbortSignal.timeout(15_000),
    });
    await waitUntil("dispatch to the silent provider", () => silent.requests.length === 1 || undefined);
    clock.advance(2_000);
    assert.equal(backup.requests.length, 0, "no backup before half the deadline");
    clock.advance(600); // half of 5 s + 1 ms per input token has passed
    const r = await res;
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-provider-id"), backup.id);
    assert.equal(await r.text(), cannedStream("spec"));
    const cancel = await waitUntil("the silent provider's cancel", () => silent.cancels[0]);
    assert.match(cancel.reason, /another provider answered first/);
    const rid = backup.requests[0]!.request_id;
    assert.equal(rid, silent.requests[0]!.request_id, "one request, two dispatches");
    const rec = await waitUntil("settlement", async () => {
      const row = await coord.store.getRequest(rid);
      return row && row.state !== "reserved" ? row : undefined;
    });
    assert.equal(rec.providerId, backup.id);
    assert.equal(rec.chargedMicros, costMicros(FALLBACK_PRICE, CANNED_USAGE.prompt_tokens, CANNED_USAGE.completion_tokens));
    assert.deepEqual((await coord.store.auditRequests()).problems, []);
  });
});
