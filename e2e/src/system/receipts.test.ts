import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { openStore } from "@darkbloom/coordinator";
import { cannedBody, cannedStream, CANNED_PIECES, FakeProvider } from "@darkbloom/coordinator/test-support/fake-provider";
import { waitUntil } from "@darkbloom/coordinator/test-support/wait";
import type { SignedReceipt } from "@darkbloom/protocol";
import { privateFetch, ReceiptMismatchError } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * Signed usage receipts end to end, with a real coordinator process. The honest providers are a
 * real `darkbloom` process and a scripted provider (coordinator test-support: real protocol code,
 * canned bytes, so the client's bytes can be compared exactly); the token-inflating provider is a
 * scripted one too — a real provider has no way to inflate its counts.
 */
const REAL = "receipts-real";
const CANNED = "receipts-canned";
const INFLATED = "receipts-inflated";
/** The inflater's claim: far beyond the 13 bytes of text it sends, within its max_tokens below. */
const CLAIM = { prompt_tokens: 12, completion_tokens: 900 };

describe("signed usage receipts", () => {
  let coord: RunningCoordinator;
  let real: RunningProvider;
  const fakes: FakeProvider[] = [];
  let canned: FakeProvider;
  let inflater: FakeProvider;

  before(async () => {
    coord = await startCoordinator({ env: { DARKBLOOM_LOG_LEVEL: "debug" } });
    real = await startProvider(coord, { modelPath: await ensureTestModel({ preset: "tiny" }), modelId: REAL });
    canned = await FakeProvider.connect(coord.origin, { models: [CANNED], token: coord.providerToken });
    inflater = await FakeProvider.connect(coord.origin, { models: [INFLATED], usage: CLAIM, token: coord.providerToken });
    fakes.push(canned, inflater);
  });
  after(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    await real?.stop();
    await stopAndAuditLedger(coord);
  });

  const receipts: SignedReceipt[] = [];
  const e2e = (extra: Partial<Parameters<typeof privateFetch>[0]> = {}) =>
    new OpenAI({
      baseURL: coord.baseURL,
      apiKey: coord.apiKey,
      maxRetries: 0,
      fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey, onReceipt: (r) => receipts.push(r), ...extra }),
    });
  const plain = () => new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
  const faults = () => coord.proc.output().split("\n").filter((l) => l.includes('"provider fault"'));
  const rawPost = (f: typeof fetch, model: string, stream: boolean) =>
    f(`${coord.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${coord.apiKey}` },
      body: JSON.stringify({ model, stream, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    });

  test("honest receipts verify in both privacy modes, and the client's bytes are exactly the provider's", async () => {
    // Real provider, e2e: every response's receipt verified by the SDK, matching the usage in the body.
    receipts.length = 0;
    const client = e2e();
    const body = await client.chat.completions.create({ model: REAL, messages: [{ role: "user", content: "hello" }], max_tokens: 8 });
    let streamed = 0;
    const stream = await client.chat.completions.create({ model: REAL, messages: [{ role: "user", content: "hello" }], max_tokens: 8, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) streamed = chunk.usage?.completion_tokens ?? streamed;
    assert.deepEqual(receipts.map((r) => [r.model, r.completion_tokens]), [[REAL, body.usage?.completion_tokens], [REAL, streamed]]);
    // Coordinator-sealed: the coordinator verifies the receipt itself (no fault), the client sees plain OpenAI.
    const p = await plain().chat.completions.create({ model: REAL, messages: [{ role: "user", content: "hello" }], max_tokens: 8 });
    assert.equal(p.usage?.completion_tokens, 8);

    // Exact bytes (scripted provider, deterministic output): e2e with receipts = coordinator-sealed = the canned wire format.
    const sdk = privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey, onReceipt: (r) => receipts.push(r) });
    const bare = privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey, verifyReceipts: false });
    for (const [stream, expected] of [[true, cannedStream(CANNED)], [false, cannedBody(CANNED)]] as const) {
      assert.equal(await (await rawPost(sdk, CANNED, stream)).text(), expected);
      assert.equal(await (await rawPost(bare, CANNED, stream)).text(), expected);
      assert.equal(await (await rawPost(fetch, CANNED, stream)).text(), expected);
    }
    assert.equal(receipts.filter((r) => r.model === CANNED).length, 2);
    assert.deepEqual(faults(), [], "no receipt or usage fault from an honest provider");
  });

  test("a token-inflating provider is caught: typed error, dispute stored, billing within the caps", async () => {
    const client = e2e();
    // Streaming: every byte arrives, then reading on raises the typed error.
    const stream = await client.chat.completions.create({ model: INFLATED, messages: [{ role: "user", content: "hi" }], max_tokens: 1000, stream: true });
    let text = "";
    const streamErr = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })().then(() => undefined, (e: unknown) => e);
    assert.equal(text, CANNED_PIECES.join(""));
    assert.ok(streamErr instanceof ReceiptMismatchError, `stream: ${String(streamErr)}`);
    assert.deepEqual([streamErr.reason, streamErr.claimed, streamErr.providerId], ["completion_tokens", CLAIM.completion_tokens, inflater.id]);
    assert.deepEqual(await streamErr.dispute, { filed: true, status: 201 });
    // Non-streaming, with a max_tokens below the claim: the error again, and the bill stops at max_tokens.
    const bodyErr = await client.chat.completions.create({ model: INFLATED, messages: [{ role: "user", content: "hi" }], max_tokens: 50 }).then(() => undefined, (e: unknown) => e);
    assert.ok(bodyErr instanceof ReceiptMismatchError, `non-stream: ${String(bodyErr)}`);
    assert.deepEqual(await bodyErr.dispute, { filed: true, status: 201 });
    // Coordinator-sealed: the coordinator opens the text itself and bills at most what it supports.
    await plain().chat.completions.create({ model: INFLATED, messages: [{ role: "user", content: "hi" }], max_tokens: 1000 });

    // Both disputes are stored against the inflater and show in the public stats.
    await waitUntil(
      "the disputes in /v1/stats",
      async () => {
        const stats = (await (await fetch(`${coord.baseURL}/stats`)).json()) as { disputes: { provider_id: string; disputes: number }[] };
        return stats.disputes.some((d) => d.provider_id === inflater.id && d.disputes === 2);
      },
      20_000,
      250,
    );
    assert.ok(faults().some((l) => l.includes("receipt.completion_tokens_above_text")), "the coordinator-sealed inflation is a fault");

    const [e2eStream, e2eBody, sealed] = inflater.requests.map((r) => r.request_id);
    await real.stop();
    await Promise.all(fakes.map((f) => f.close()));
    await coord.stop();
    const store = await openStore({ engine: "sqlite", path: coord.dbPath });
    try {
      const disputes = await Promise.all([e2eStream!, e2eBody!].map((id) => store.disputes.get(id)));
      assert.deepEqual(disputes.map((d) => [d?.providerId, d?.reason, d?.claimed]), [
        [inflater.id, "completion_tokens", CLAIM.completion_tokens],
        [inflater.id, "completion_tokens", CLAIM.completion_tokens],
      ]);
      const billed = await Promise.all([e2eStream!, e2eBody!, sealed!].map(async (id) => (await store.getRequest(id))?.completionTokens));
      // e2e: the coordinator cannot read the text, so the caps bound the bill (max_tokens 50 for the body);
      // coordinator-sealed: at most the text's 13 bytes + the slack of 8.
      assert.deepEqual(billed, [CLAIM.completion_tokens, 50, CANNED_PIECES.join("").length + 8]);
    } finally {
      await store.close();
    }
  });
});
