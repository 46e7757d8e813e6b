import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { costMicros, FALLBACK_PRICE } from "../billing/index.js";
import { generateApiKey, hashApiKey } from "../auth/index.js";
import { FakeProvider, CANNED_USAGE, TEST_PROVIDER_TOKEN, cannedBody, cannedStream } from "../test-support/fake-provider.js";
import { e2eChat } from "../test-support/e2e-client.js";
import { waitUntil } from "../test-support/wait.js";
import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

const KEY = generateApiKey();
const dir = mkdtempSync(join(tmpdir(), "darkbloom-coord-"));
const logs: string[] = [];
let coord: RunningCoordinator;
let base: string;
const providers: FakeProvider[] = [];

const behavior = (prompt: string) =>
  prompt.includes("#die") ? "die_mid_stream" : prompt.includes("#hang") ? "hang" : prompt.includes("#fail") ? "fail_before_first" : "reply";

before(async () => {
  coord = await startCoordinator(
    { providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: `sqlite:${join(dir, "c.db")}`, bootstrapApiKey: KEY, bootstrapCreditUsd: 10, logLevel: "debug", cancelSettleMs: 2_000 },
    { logWrite: (l) => void logs.push(l) },
  );
  base = coord.url;
  providers.push(await FakeProvider.connect(base, { models: ["tiny"], behavior }));
});

after(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await coord.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${KEY}` };
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: "tiny", messages: [{ role: "user", content }], ...extra });
const accountId = async () => (await coord.store.findApiKeyByHash(hashApiKey(KEY)))!.accountId;
const available = async () => (await coord.store.getBalance(await accountId())).availableMicros;
const until = async (cond: () => boolean, what = "condition"): Promise<void> => void (await waitUntil(what, cond));
/** The request's record once it is settled (bounded wait). */
const settled = (rid: string) =>
  waitUntil(`request ${rid} to settle`, async () => {
    const rec = await coord.store.getRequest(rid);
    return rec && rec.state !== "reserved" ? rec : undefined;
  });

describe("coordinator over HTTP and a real provider WebSocket", () => {
  it("reports health and lists served models", async () => {
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: "ok", providers: 1, protocol_version: PROTOCOL_VERSION });
    const models = (await (await fetch(`${base}/v1/models`, { headers: auth })).json()) as { object: string; data: { id: string; owned_by: string }[] };
    assert.equal(models.object, "list");
    assert.deepEqual(models.data.map((m) => [m.id, m.owned_by]), [["tiny", "darkbloom"]]);
    assert.equal((await fetch(`${base}/v1/models`)).status, 401);
  });

  it("serves attested keys per model and 404s unknown ones", async () => {
    const r = await fetch(`${base}/v1/providers/keys?model=tiny`, { headers: auth });
    const body = (await r.json()) as { model: string; keys: { provider_id: string; kid: string; trust_level: string }[] };
    assert.equal(body.keys.length, 1);
    assert.equal(body.keys[0]!.kid, providers[0]!.kid);
    assert.equal(body.keys[0]!.provider_id, providers[0]!.id);
    assert.equal(body.keys[0]!.trust_level, "self_signed");
    const missing = await fetch(`${base}/v1/providers/keys?model=nope`, { headers: auth });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, "model_not_found");
  });

  it("coordinator-sealed stream: the provider's SSE bytes arrive unchanged", async () => {
    const r = await post(chat("hi", { stream: true }));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-darkbloom-privacy"), "coordinator-sealed");
    assert.equal(r.headers.get("x-provider-id"), providers[0]!.id);
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.ok(r.headers.get("x-request-id"));
    assert.equal(await r.text(), cannedStream("tiny"));
  });

  it("coordinator-sealed non-stream: one JSON body, billed by reported usage", async () => {
    const before = await available();
    const r = await post(chat("hi"));
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(await r.text(), cannedBody("tiny"));
    const charged = costMicros(FALLBACK_PRICE, CANNED_USAGE.prompt_tokens, CANNED_USAGE.completion_tokens);
    assert.equal(before - (await available()), charged);
    assert.deepEqual(await coord.store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
    assert.equal((await coord.store.getBalance(await accountId())).heldMicros, 0);
  });

  it("e2e stream and non-stream: the client opens what the provider sealed", async () => {
    const s = await e2eChat(base, KEY, chat("hi", { stream: true }));
    assert.equal(s.status, 200);
    assert.equal(s.headers.get("x-darkbloom-privacy"), "e2e");
    assert.equal(s.headers.get("x-provider-id"), providers[0]!.id);
    assert.equal(s.plaintext, cannedStream("tiny"));
    assert.deepEqual(s.errors, []);
    // The provider's signed receipt follows the final chunk, sealed: the client opens it.
    const receipt = JSON.parse(s.receipt ?? "null") as { model: string; completion_tokens: number } | null;
    assert.equal(receipt?.model, "tiny");
    assert.equal(receipt?.completion_tokens, CANNED_USAGE.completion_tokens);
    const n = await e2eChat(base, KEY, chat("hi"));
    assert.equal(n.status, 200);
    assert.equal(n.plaintext, cannedBody("tiny"));
    const frame = providers[0]!.requests.at(-1)!;
    assert.equal(frame.max_tokens, 8192);
    assert.equal(frame.input_tokens_estimate, 32);
  });

  it("rejects bad keys, malformed bodies and n > 1 in OpenAI shape", async () => {
    const bad = await fetch(`${base}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${generateApiKey()}` }, body: "{}" });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { error: { type: string } }).error.type, "authentication_error");
    const malformed = await post("{nope");
    assert.equal(malformed.status, 400);
    const n2 = await post(chat("hi", { n: 2 }));
    assert.equal(n2.status, 400);
    assert.equal(((await n2.json()) as { error: { param: string } }).error.param, "n");
    const badE2e = await post({ model: "tiny" }, { "x-darkbloom-privacy": "e2e" });
    assert.equal(badE2e.status, 400);
    const badMode = await post(chat("hi"), { "x-darkbloom-privacy": "plaintext" });
    assert.equal(badMode.status, 400);
  });

  it("404s an unknown model", async () => {
    const r = await post({ ...chat("hi"), model: "never-heard-of-it" });
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "model_not_found");
  });

  it("402s when the balance cannot cover the worst case", async () => {
    const poor = await coord.store.createAccount({ label: "poor" });
    const key = generateApiKey();
    await coord.store.createApiKey({ accountId: poor.id, keyHash: hashApiKey(key) });
    const r = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify(chat("hi")),
    });
    assert.equal(r.status, 402);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "insufficient_balance");
  });

  it("fails over to another provider when the first fails before its first chunk", async () => {
    const failing = await FakeProvider.connect(base, { models: ["fo"], behavior: () => "fail_before_first" });
    const good = await FakeProvider.connect(base, { models: ["fo"], running: 3 }); // busier: tried second
    providers.push(failing, good);
    const r = await post({ ...chat("hi"), model: "fo" });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-provider-id"), good.id);
    assert.equal(await r.text(), cannedBody("fo"));
    assert.equal(failing.requests.length, 1);
  });

  it("fails over when the provider disconnects before its first chunk", async () => {
    const dying = await FakeProvider.connect(base, { models: ["drop"], behavior: () => "die_mid_stream" });
    const good = await FakeProvider.connect(base, { models: ["drop"], running: 3 });
    providers.push(dying, good);
    const r = await post({ ...chat("hi"), model: "drop" }); // non-stream: the dying one drops before any chunk
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-provider-id"), good.id);
    assert.equal(await r.text(), cannedBody("drop"));
    assert.equal(dying.requests.length, 1);
  });

  it("ends the stream with an error event when the provider disconnects mid-stream", async () => {
    const flaky = await FakeProvider.connect(base, { models: ["flaky"], behavior });
    providers.push(flaky);
    const before = await available();
    const body = { ...chat("#die"), model: "flaky", stream: true };
    const r = await post(body);
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.ok(text.startsWith('data: {"id":"chatcmpl-fake"'));
    assert.match(text, /data: \{"error":\{"message":"The provider serving this request disconnected\."/);
    assert.ok(!text.includes("[DONE]"));
    // No usage report: billed for what reached the consumer (one delta), prompt at the coordinator's estimate.
    const rec = await settled(flaky.requests.at(-1)!.request_id);
    const estimate = Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4);
    assert.equal(rec.state, "failed");
    assert.equal(rec.completionTokens, 1);
    assert.equal(rec.promptTokens, estimate);
    assert.equal(rec.chargedMicros, costMicros(FALLBACK_PRICE, estimate, 1));
    assert.equal(before - (await available()), rec.chargedMicros);

    const flaky2 = await FakeProvider.connect(base, { models: ["flaky"], behavior });
    providers.push(flaky2);
    const e = await e2eChat(base, KEY, { ...chat("#die"), model: "flaky", stream: true });
    assert.equal(e.status, 200);
    assert.equal(e.errors.length, 1);
    assert.match(e.raw, /event: error\ndata: \{"error":\{"message":"The provider serving this request disconnected\."/);
  });

  it("503s with Retry-After when the model's providers are all gone", async () => {
    const r = await post({ ...chat("hi"), model: "flaky" });
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "2");
  });

  it("cancels the provider when the consumer disconnects", async () => {
    const p = providers[0]!;
    const seen = p.requests.length;
    const controller = new AbortController();
    const res = fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(chat("#hang", { stream: true })),
      signal: controller.signal,
    }).catch(() => undefined);
    await until(() => p.requests.length > seen);
    controller.abort();
    await res;
    await until(() => p.cancels.length > 0);
    const rid = p.requests.at(-1)!.request_id;
    assert.equal(p.cancels[0]!.request_id, rid);
    // The provider's cancel report claims usage, but nothing reached the consumer: it costs nothing.
    const rec = await settled(rid);
    assert.equal(rec.state, "cancelled");
    assert.equal(rec.completionTokens, 0);
    assert.equal(rec.chargedMicros, 0);
  });
});

describe("operator switches", () => {
  it("refuses coordinator-sealed requests when disabled", async () => {
    const key = generateApiKey();
    const c = await startCoordinator(
      { providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: key, bootstrapCreditUsd: 1, allowCoordinatorSealed: false, logLevel: "silent" },
    );
    try {
      const r = await fetch(`${c.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify(chat("hi")),
      });
      assert.equal(r.status, 403);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, "coordinator_sealed_disabled");
    } finally {
      await c.close();
    }
  });
});
