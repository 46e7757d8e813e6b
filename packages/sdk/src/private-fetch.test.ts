import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { NoTrustedProviderError, privateFetch } from "./index.js";
import { makeProvider, REPLY_WORDS, sseReply, startFakeCoordinator, type FakeCoordinator } from "./testing/fake-coordinator.js";

const SECRET = "my secret prompt about the launch codes";
let fake: FakeCoordinator;

before(async () => {
  const providers = await Promise.all(["p1", "p2", "p3", "p4", "p5"].map((id) => makeProvider(id)));
  fake = await startFakeCoordinator(providers);
});
after(() => fake.close());
beforeEach(() => {
  fake.behaviour = "ok";
  fake.sealedRequests.length = 0;
  fake.opened.length = 0;
});

function client(extra: Partial<Parameters<typeof privateFetch>[0]> = {}): typeof fetch {
  return privateFetch({ baseURL: fake.baseURL, apiKey: "sk-db-test", ...extra });
}

function chat(f: typeof fetch, stream: boolean, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return f(`${fake.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-db-test", "x-request-id": "req-123", ...extraHeaders },
    body: JSON.stringify({ model: "test-model", stream, max_tokens: 64, messages: [{ role: "user", content: SECRET }] }),
  });
}

/** The SSE `data:` payloads of a plaintext stream. */
function dataLines(text: string): string[] {
  return text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
}

test("stream: the caller receives exactly the provider's plaintext SSE bytes", async () => {
  const res = await chat(client(), true);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  assert.equal(res.headers.get("x-request-id"), "req-123");
  assert.equal(res.headers.get("x-darkbloom-privacy"), "e2e");
  assert.ok(res.headers.get("x-provider-id")?.startsWith("p"));
  assert.equal(await res.text(), sseReply(REPLY_WORDS).join(""));

  const sent = fake.sealedRequests[0]!;
  assert.equal(sent.raw.includes(SECRET), false, "no plaintext prompt on the wire");
  assert.equal(sent.headers["x-darkbloom-privacy"], "e2e");
  assert.equal(sent.headers["x-request-id"], "req-123");
  assert.deepEqual(
    { model: sent.body.model, stream: sent.body.stream, max_tokens: sent.body.max_tokens, est: sent.body.input_tokens_estimate },
    { model: "test-model", stream: true, max_tokens: 64, est: Math.ceil(SECRET.length / 4) },
  );
  assert.equal(sent.body.sealed.recipients.length, 4, "default maxRecipients");
  assert.equal(JSON.parse(fake.opened[0]!).messages[0].content, SECRET, "provider opened the original body");
});

test("non-stream: decrypted JSON body with status 200", async () => {
  const res = await chat(client({ maxRecipients: 2 }), false);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = (await res.json()) as { choices: { message: { content: string } }[] };
  assert.equal(body.choices[0]!.message.content, REPLY_WORDS.join(""));
  assert.equal(fake.sealedRequests[0]!.body.sealed.recipients.length, 2);
  assert.equal(res.headers.get("x-request-id"), "req-123");
});

test("truncated stream ends with an in-band error event; non-stream gets 502", async () => {
  fake.behaviour = "truncate";
  const text = await (await chat(client(), true)).text();
  const lines = dataLines(text);
  assert.equal(lines.includes("[DONE]"), false);
  const err = JSON.parse(lines.at(-1)!) as { error: { code: string } };
  assert.equal(err.error.code, "e2e_truncated");

  const res = await chat(client(), false);
  assert.equal(res.status, 502);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, "e2e_truncated");
});

test("an error event mid-stream becomes data: {error} and closes the stream", async () => {
  fake.behaviour = "error";
  const text = await (await chat(client(), true)).text();
  const lines = dataLines(text);
  assert.equal(lines.length, 3);
  assert.equal(JSON.parse(lines[0]!).choices[0].delta.content, REPLY_WORDS[0]);
  assert.deepEqual(JSON.parse(lines[2]!), { error: { message: "provider crashed mid-stream", type: "api_error", code: "provider_error", param: null } });
  assert.ok(text.endsWith("\n\n"));

  const res = await chat(client(), false);
  assert.equal(res.status, 502);
  assert.equal(((await res.json()) as { error: { message: string } }).error.message, "provider crashed mid-stream");
});

test("tampered and reordered chunks are rejected", async () => {
  for (const behaviour of ["tamper", "reorder"] as const) {
    fake.behaviour = behaviour;
    const lines = dataLines(await (await chat(client(), true)).text());
    const err = JSON.parse(lines.at(-1)!) as { error: { code: string } };
    assert.match(err.error.code, behaviour === "tamper" ? /e2e_auth_failed/ : /e2e_(out_of_order|auth_failed)/);
  }
});

test("invalid attestations are dropped; none valid throws NoTrustedProviderError and sends nothing", async () => {
  const good = await makeProvider("good");
  const bad = await makeProvider("bad", true);
  const mismatched = await makeProvider("mismatched");
  mismatched.entry = { ...mismatched.entry, public_key: good.entry.public_key, kid: good.entry.kid };
  const saved = fake.providers;
  try {
    fake.providers = [bad, mismatched, good];
    const res = await chat(client(), true);
    assert.equal(res.status, 200);
    await res.text();
    assert.deepEqual(fake.sealedRequests[0]!.body.sealed.recipients.map((r) => r.kid), [good.keyPair.kid]);

    fake.providers = [bad];
    fake.sealedRequests.length = 0;
    await assert.rejects(chat(client(), false), (err: unknown) => {
      assert.ok(err instanceof NoTrustedProviderError);
      assert.deepEqual(err.rejections.map((r) => [r.providerId, r.reason]), [["bad", "bad_signature"]]);
      return true;
    });
    assert.equal(fake.sealedRequests.length, 0, "nothing was sent");
  } finally {
    fake.providers = saved;
  }
});

test("non-200 responses and non-SSE 200s are handled; other requests pass through", async () => {
  fake.behaviour = "http-error";
  const busy = await chat(client(), true);
  assert.equal(busy.status, 429);
  assert.equal(busy.headers.get("retry-after"), "3");

  fake.behaviour = "json";
  const plain = await chat(client(), false);
  assert.equal(plain.status, 502);
  assert.equal(((await plain.json()) as { error: { code: string } }).error.code, "e2e_not_sealed");

  const models = await client()(`${fake.baseURL}/models`, { headers: { authorization: "Bearer sk-db-test" } });
  assert.equal(models.status, 200);
  assert.deepEqual(await models.json(), { object: "list", data: [{ id: "test-model" }] });
  assert.equal(fake.sealedRequests.filter((r) => r.body.model === "x").length, 0);
});

test("keys endpoint errors pass through; keys are cached per model", async () => {
  const unauthorized = await privateFetch({ baseURL: fake.baseURL, apiKey: "sk-db-wrong" })(`${fake.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sk-db-wrong" },
    body: JSON.stringify({ model: "test-model", messages: [] }),
  });
  assert.equal(unauthorized.status, 401);

  const f = client();
  const before = fake.keysRequests;
  await (await chat(f, false)).text();
  await (await chat(f, true)).text();
  assert.equal(fake.keysRequests - before, 1);
});

test("Request objects and a trailing slash on baseURL work", async () => {
  const f = privateFetch({ baseURL: `${fake.baseURL}/`, apiKey: "sk-db-test" });
  const req = new Request(`${fake.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sk-db-test" },
    body: JSON.stringify({ model: "test-model", messages: [{ role: "user", content: [{ type: "text", text: "abcdefgh" }] }] }),
  });
  const res = await f(req);
  assert.equal(res.status, 200);
  assert.equal(fake.sealedRequests[0]!.body.input_tokens_estimate, 2);
  await res.text();
  const bad = await f(`${fake.baseURL}/chat/completions`, { method: "POST", body: "not json" });
  assert.equal(bad.status, 400);
});

test("onTiming reports the client-side phases of each sealed request", async () => {
  const seen: Record<string, number>[] = [];
  const res = await chat(client({ onTiming: (t) => void seen.push({ ...t }) }), true);
  await res.text();
  assert.equal(seen.length, 1);
  assert.deepEqual(Object.keys(seen[0]!).sort(), ["keys", "prepare", "seal", "upstream"]);
  for (const v of Object.values(seen[0]!)) assert.ok(Number.isFinite(v) && v >= 0);
});

test("stale attestations, unpinned identities and a hardware minimum are never sealed to", async () => {
  const fresh = await makeProvider("fresh");
  const stale = await makeProvider("stale", false, Date.now() - 20 * 60_000);
  const saved = fake.providers;
  try {
    fake.providers = [stale, fresh];
    await (await chat(client(), false)).text();
    assert.deepEqual(fake.sealedRequests[0]!.body.sealed.recipients.map((r) => r.kid), [fresh.keyPair.kid]);

    fake.sealedRequests.length = 0;
    const pinned = client({ pinnedIdentityKeys: [stale.entry.attestation.identity_key] });
    await assert.rejects(chat(pinned, false), (err: unknown) => err instanceof NoTrustedProviderError && err.rejections.map((r) => r.reason).sort().join() === "not_pinned,stale");

    await assert.rejects(chat(client({ minTrust: "hardware" }), false), (err: unknown) => err instanceof NoTrustedProviderError && err.rejections.every((r) => r.reason === "below_min_trust" || r.reason === "stale"));
    assert.equal(fake.keysHeaders.at(-1)?.["x-darkbloom-min-trust"], "hardware", "the coordinator is asked for hardware keys too");
    assert.equal(fake.sealedRequests.length, 0);
  } finally {
    fake.providers = saved;
  }
});
