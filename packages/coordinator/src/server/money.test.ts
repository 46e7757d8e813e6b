import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { FALLBACK_PRICE, costMicros, promptTokenCap, promptTokenEstimate, worstCaseMicros } from "../billing/index.js";
import { e2eChat } from "../test-support/e2e-client.js";
import { CANNED_USAGE, FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Attacks on the consumer's balance by a provider (inflated usage reports, usage on failures) and
 * by a client (an input estimate of 0). Each fails on the code before billing caps.
 */
const KEY = generateApiKey();
const logs: string[] = [];
let coord: RunningCoordinator;
const providers: FakeProvider[] = [];
const INFLATED = { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 };

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "debug" },
    { logWrite: (l) => void logs.push(l) },
  );
  providers.push(
    await FakeProvider.connect(coord.url, { models: ["greedy"], usage: INFLATED }),
    await FakeProvider.connect(coord.url, { models: ["broken"], usage: INFLATED, behavior: () => "fail_with_usage" }),
    await FakeProvider.connect(coord.url, { models: ["honest"] }),
    await FakeProvider.connect(coord.url, { models: ["liar"], behavior: () => "count_backwards" }),
  );
});

after(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await coord.close();
});

const accountId = async () => (await coord.store.findApiKeyByHash(hashApiKey(KEY)))!.accountId;
const balance = async () => coord.store.getBalance(await accountId());
const post = (body: string) =>
  fetch(`${coord.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body });

async function settled(rid: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rec = await coord.store.getRequest(rid);
    if (rec && rec.state !== "reserved") return rec;
    if (Date.now() > deadline) assert.fail(`request ${rid} was not settled`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const faultLogs = () => logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "provider fault");

describe("billing caps against a provider's usage claims", () => {
  it("a 1e6/1e6 usage report for max_tokens=5 is clamped to the caps, within the hold; the rest of the balance is intact", async () => {
    const greedy = providers[0]!;
    const before = await balance();
    const body = JSON.stringify({ model: "greedy", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    const r = await post(body);
    assert.equal(r.status, 200);
    await r.text();
    const rec = await settled(greedy.requests.at(-1)!.request_id);
    const cap = promptTokenCap(Buffer.byteLength(body));
    assert.equal(rec.promptTokens, cap);
    assert.equal(rec.completionTokens, 5);
    assert.equal(rec.chargedMicros, costMicros(FALLBACK_PRICE, cap, 5));
    assert.equal(rec.reservedMicros, worstCaseMicros(FALLBACK_PRICE, cap, 5));
    assert.ok(rec.chargedMicros! <= rec.reservedMicros, "never above the reservation");
    const after = await balance();
    assert.equal(before.availableMicros - after.availableMicros, rec.chargedMicros, "charged exactly the capped amount");
    assert.equal(after.heldMicros, 0);
    assert.ok(after.availableMicros > 9_000_000, "a $10 balance is not drained");

    // Counted against the provider and logged with numbers only.
    assert.ok((coord.registry.get(greedy.id)?.faults ?? 0) >= 2);
    const faults = faultLogs().filter((l) => l.provider_id === greedy.id);
    assert.ok(faults.some((l) => l.kind === "usage.completion_tokens" && l.claimed === 1_000_000 && l.allowed === 5));
    assert.ok(faults.some((l) => l.kind === "usage.prompt_tokens" && l.claimed === 1_000_000 && l.allowed === cap));
    assert.ok(faults.some((l) => l.kind === "chunk.tokens_above_max_tokens"), "the chunk's running count is checked too");
    assert.deepEqual(await coord.store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  });

  it("the same in e2e mode, streaming", async () => {
    const before = await balance();
    const res = await e2eChat(coord.url, KEY, { model: "greedy", stream: true, max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    assert.equal(res.status, 200);
    const rec = await settled(providers[0]!.requests.at(-1)!.request_id);
    assert.equal(rec.completionTokens, 5);
    assert.ok(rec.chargedMicros! <= rec.reservedMicros);
    assert.equal(before.availableMicros - (await balance()).availableMicros, rec.chargedMicros);
  });

  it("an inference_error claiming big usage after nothing was delivered costs nothing", async () => {
    const before = await balance();
    const r = await post(JSON.stringify({ model: "broken", messages: [{ role: "user", content: "hi" }] }));
    assert.equal(r.status, 502);
    await r.text();
    const rec = await settled(providers[1]!.requests.at(-1)!.request_id);
    assert.equal(rec.state, "failed");
    assert.equal(rec.chargedMicros, 0);
    assert.equal(rec.promptTokens, 0);
    assert.equal(rec.completionTokens, 0);
    assert.deepEqual(await balance(), before);
    assert.ok(faultLogs().some((l) => l.provider_id === providers[1]!.id && l.kind === "usage.prompt_tokens"));
  });
});

describe("running token counts on chunks", () => {
  it("a count that goes backwards is clamped and counted against the provider once", async () => {
    const liar = providers[3]!;
    const r = await post(JSON.stringify({ model: "liar", stream: true, messages: [{ role: "user", content: "hi" }] }));
    assert.equal(r.status, 200);
    await r.text();
    const rec = await settled(liar.requests.at(-1)!.request_id);
    assert.equal(rec.completionTokens, CANNED_USAGE.completion_tokens);
    const faults = faultLogs().filter((l) => l.provider_id === liar.id);
    assert.deepEqual(
      faults.map((l) => [l.kind, l.claimed, l.allowed]),
      [["chunk.tokens_decreased", 3, 4]],
    );
    assert.equal(coord.registry.get(liar.id)?.faults, 1);
  });
});

describe("reservations from the request's size", () => {
  it("an e2e request with input_tokens_estimate 0 still reserves for its sealed body's size", async () => {
    const honest = providers[2]!;
    const body = { model: "honest", max_tokens: 1, messages: [{ role: "user", content: "x".repeat(40_000) }] };
    const plaintextBytes = Buffer.byteLength(JSON.stringify(body));
    const res = await e2eChat(coord.url, KEY, body, 0);
    assert.equal(res.status, 200);
    const frame = honest.requests.at(-1)!;
    const rec = await settled(frame.request_id);
    assert.equal(rec.reservedMicros, worstCaseMicros(FALLBACK_PRICE, promptTokenCap(plaintextBytes), 1));
    assert.ok(rec.reservedMicros > worstCaseMicros(FALLBACK_PRICE, 0, 1), "the prompt is not free");
    assert.equal(frame.input_tokens_estimate, promptTokenEstimate(plaintextBytes), "the provider and the deadline see the size-based estimate");
  });
});
