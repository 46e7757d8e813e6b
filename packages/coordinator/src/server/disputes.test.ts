import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeBase64, generateIdentityKeyPair, signReceipt, SignedReceiptSchema, type SignedReceipt } from "@darkbloom/protocol";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { DISPUTES_PER_HOUR } from "../api/disputes.js";
import { e2eChat } from "../test-support/e2e-client.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** POST /v1/disputes: who may dispute what, validation, idempotency, the per-account limit, stats. */
const KEY = generateApiKey();
const OTHER = generateApiKey();
let coord: RunningCoordinator;
let fake: FakeProvider;

before(async () => {
  coord = await startCoordinator({ port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN }, { logWrite: () => {} });
  fake = await FakeProvider.connect(coord.url, { models: ["m"] });
  const other = await coord.store.createAccount({ label: "other" });
  await coord.store.createApiKey({ accountId: other.id, keyHash: hashApiKey(OTHER) });
});

after(async () => {
  await fake.close();
  await coord.close();
});

const identityKey = () => encodeBase64(fake.identity.publicKey);

async function receipt(): Promise<SignedReceipt> {
  const r = await e2eChat(coord.url, KEY, { model: "m", stream: true, max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
  assert.equal(r.status, 200);
  return SignedReceiptSchema.parse(JSON.parse(r.receipt ?? "null"));
}

async function dispute(body: unknown, key = KEY) {
  const res = await fetch(`${coord.url}/v1/disputes`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; param: string | null } } };
}

describe("POST /v1/disputes", () => {
  it("files a dispute of the account's own request once (a repeat returns it), counted per provider in /v1/stats", async () => {
    const r = await receipt();
    const body = { receipt: r, identity_key: identityKey(), reason: "completion_tokens", claimed: r.completion_tokens, allowed: 1 };
    const first = await dispute(body);
    assert.equal(first.status, 201);
    assert.deepEqual({ ...first.json, created_at: 0 }, { object: "dispute", request_id: r.request_id, provider_id: fake.id, reason: "completion_tokens", created_at: 0 });
    const again = await dispute({ ...body, reason: "response_hash" });
    assert.equal(again.status, 200);
    assert.equal(again.json.reason, "completion_tokens");
    assert.equal((await coord.store.disputes.get(r.request_id))?.identityKey, identityKey());
    const stats = (await (await fetch(`${coord.url}/v1/stats`)).json()) as { disputes: { provider_id: string; disputes: number }[] };
    assert.deepEqual(stats.disputes, [{ provider_id: fake.id, disputes: 1 }]);
  });

  it("refuses bad bodies, other keys, tampered receipts, other accounts and anonymous callers", async () => {
    const r = await receipt();
    const ok = { receipt: r, identity_key: identityKey(), reason: "completion_tokens" };
    assert.equal((await dispute({ ...ok, reason: "because" })).json.error?.param, "reason");
    assert.equal((await dispute({ ...ok, receipt: { ...r, completion_tokens: -1 } })).status, 400);
    assert.equal((await dispute("{")).status, 400);
    assert.equal((await dispute({ ...ok, pad: "x".repeat(9000) })).status, 413);
    const stranger = await generateIdentityKeyPair();
    const wrongKey = await dispute({ ...ok, identity_key: encodeBase64(stranger.publicKey) });
    assert.deepEqual([wrongKey.status, wrongKey.json.error?.code], [400, "wrong_provider"]);
    // Signed by someone else under the serving provider's key claim, or altered after signing.
    const forged = await dispute({ ...ok, receipt: signReceipt({ ...r, completion_tokens: 999 }, stranger.secretKey) });
    assert.deepEqual([forged.status, forged.json.error?.code], [400, "invalid_receipt"]);
    const altered = await dispute({ ...ok, receipt: { ...r, completion_tokens: r.completion_tokens + 1 } });
    assert.deepEqual([altered.status, altered.json.error?.code], [400, "invalid_receipt"]);
    assert.equal((await dispute(ok, OTHER)).status, 404);
    assert.equal((await dispute({ ...ok, receipt: { ...r, request_id: "req_unknown" } })).status, 404);
    assert.equal((await dispute(ok, "sk-db-" + "0".repeat(64))).status, 401);
    assert.equal(await coord.store.disputes.get(r.request_id), null);
  });

  it(`allows ${DISPUTES_PER_HOUR} disputes per account per hour, then 429 with Retry-After`, async () => {
    const filed = await coord.store.disputes.countFiledSince((await coord.store.findApiKeyByHash(hashApiKey(KEY)))!.accountId, 0);
    for (let i = filed; i < DISPUTES_PER_HOUR; i++) {
      assert.equal((await dispute({ receipt: await receipt(), identity_key: identityKey(), reason: "prompt_tokens" })).status, 201);
    }
    const over = await dispute({ receipt: await receipt(), identity_key: identityKey(), reason: "prompt_tokens" });
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get("retry-after")) > 0);
  });
});
