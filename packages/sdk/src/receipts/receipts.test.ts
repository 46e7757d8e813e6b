import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import type { SignedReceipt } from "@darkbloom/protocol";
import { privateFetch, ReceiptMismatchError } from "../index.js";
import { makeProvider, REPLY_WORDS, sseReply, startFakeCoordinator, type FakeCoordinator } from "../testing/fake-coordinator.js";

let fake: FakeCoordinator;

before(async () => {
  fake = await startFakeCoordinator([await makeProvider("p1")]);
});
after(() => fake.close());
beforeEach(() => {
  fake.behaviour = "ok";
  fake.disputes.length = 0;
});

function chat(extra: Partial<Parameters<typeof privateFetch>[0]>, stream: boolean): Promise<Response> {
  const f = privateFetch({ baseURL: fake.baseURL, apiKey: "sk-db-test", ...extra });
  return f(`${fake.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "test-model", stream, max_tokens: 64, messages: [{ role: "user", content: "hello" }] }),
  });
}

test("an honest receipt verifies in both stream and non-stream; the caller's bytes are the provider's", async () => {
  const seen: SignedReceipt[] = [];
  const s = await chat({ onReceipt: (r) => seen.push(r) }, true);
  assert.equal(await s.text(), sseReply(REPLY_WORDS).join(""));
  const n = await chat({ onReceipt: (r) => seen.push(r) }, false);
  assert.equal((await n.json() as { choices: { message: { content: string } }[] }).choices[0]!.message.content, REPLY_WORDS.join(""));
  assert.deepEqual(seen.map((r) => r.completion_tokens), [REPLY_WORDS.length, REPLY_WORDS.length]);
  assert.deepEqual(fake.disputes, []);
});

for (const stream of [true, false]) {
  test(`an inflating receipt raises ReceiptMismatchError and files a dispute (stream: ${stream})`, async () => {
    fake.behaviour = "inflate";
    const res = await chat({}, stream);
    assert.equal(res.status, 200);
    const err = await res.text().then(
      () => assert.fail("expected ReceiptMismatchError"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ReceiptMismatchError, String(err));
    assert.equal(err.reason, "completion_tokens");
    assert.equal(err.claimed, 10_000);
    assert.ok(err.allowed! < 100);
    assert.equal(err.providerId, "p1");
    assert.deepEqual(await err.dispute, { filed: true, status: 201 });
    const d = fake.disputes[0] as { reason: string; receipt: SignedReceipt; identity_key: string };
    assert.equal(d.reason, "completion_tokens");
    assert.equal(d.receipt.completion_tokens, 10_000);
    assert.equal(d.identity_key, fake.providers[0]!.entry.attestation.identity_key);
  });
}

test("a forged or missing receipt raises the error but files nothing", async () => {
  for (const [behaviour, reason] of [["forge-receipt", "signature"], ["no-receipt", "missing"]] as const) {
    fake.behaviour = behaviour;
    const err = await (await chat({}, true)).text().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ReceiptMismatchError, behaviour);
    assert.equal(err.reason, reason);
    assert.deepEqual(await err.dispute, { filed: false, reason: "not_signed" });
  }
  assert.deepEqual(fake.disputes, []);
});

test("verifyReceipts: false keeps the old behaviour; fileDisputes: false raises without filing", async () => {
  fake.behaviour = "inflate";
  assert.equal(await (await chat({ verifyReceipts: false }, true)).text(), sseReply(REPLY_WORDS).join(""));
  const err = await (await chat({ fileDisputes: false }, true)).text().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ReceiptMismatchError);
  assert.deepEqual(await err.dispute, { filed: false, reason: "disabled" });
  assert.deepEqual(fake.disputes, []);
});

test("onReceiptMismatch: the response ends normally, the error is reported and the dispute filed", async () => {
  fake.behaviour = "inflate";
  const reported: ReceiptMismatchError[] = [];
  for (const stream of [true, false]) {
    const res = await chat({ onReceiptMismatch: (e) => reported.push(e) }, stream);
    const text = await res.text();
    assert.ok(text.includes("sealed"), "the provider's bytes are delivered");
  }
  assert.deepEqual(reported.map((e) => e.reason), ["completion_tokens", "completion_tokens"]);
  assert.deepEqual(await Promise.all(reported.map((e) => e.dispute)), [{ filed: true, status: 201 }, { filed: true, status: 201 }]);
  assert.equal(fake.disputes.length, 2);
});

test("the private proxy delivers the response of a refused receipt and disputes it", async () => {
  const { startPrivateProxy } = await import("../proxy/index.js");
  fake.behaviour = "inflate";
  const reported: ReceiptMismatchError[] = [];
  const proxy = await startPrivateProxy({ coordinator: fake.baseURL, apiKey: "sk-db-test", port: 0, onReceiptMismatch: (e) => reported.push(e) });
  try {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "test-model", stream: true, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(await res.text(), sseReply(REPLY_WORDS).join(""));
    assert.deepEqual(reported.map((e) => e.reason), ["completion_tokens"]);
    await reported[0]!.dispute;
    assert.equal(fake.disputes.length, 1);
  } finally {
    await proxy.close();
  }
});
