import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeBase64, generateIdentityKeyPair, signReceipt, type InferenceCompleteFrame } from "@darkbloom/protocol";
import { checkReceipt, type ReceiptContext } from "./receipt-check.js";

const hash = "ab".repeat(32);
const usage = { prompt_tokens: 12, completion_tokens: 4 };

async function setup() {
  const id = await generateIdentityKeyPair();
  const receipt = signReceipt({ request_id: "req_1", model: "m", ...usage, response_hash: hash }, id.secretKey);
  const frame: InferenceCompleteFrame = { type: "inference_complete", request_id: "req_1", usage, finish_reason: "stop", receipt, sealed_receipt: { kid: "k", ct: "AAAA" } };
  const ctx: ReceiptContext = { requestId: "req_1", model: "m", identityKey: encodeBase64(id.publicKey), responseHash: hash, view: {} };
  return { id, receipt, frame, ctx };
}

const kinds = (v: { faults: { kind: string }[] }) => v.faults.map((f) => f.kind);

test("an honest receipt verifies and is billed from", async () => {
  const { frame, ctx, receipt } = await setup();
  assert.deepEqual(checkReceipt(frame, ctx), { usage: { promptTokens: 12, completionTokens: 4 }, verified: true, faults: [] });
  // coordinator-sealed: the opened copy and the text bound agree too.
  assert.deepEqual(checkReceipt(frame, { ...ctx, view: { opened: receipt, textBytes: 13 } }), { usage: { promptTokens: 12, completionTokens: 4 }, verified: true, faults: [], textCap: 21 });
});

test("each disagreement is a fault and the clear usage is billed under the caps", async () => {
  const { id, frame, ctx, receipt } = await setup();
  const other = await generateIdentityKeyPair();
  const resign = (f: Partial<typeof receipt>) => signReceipt({ ...receipt, ...f }, id.secretKey);
  const cases: [InferenceCompleteFrame, ReceiptContext, string][] = [
    [{ ...frame, receipt: undefined }, ctx, "receipt.missing"],
    [frame, { ...ctx, identityKey: encodeBase64(other.publicKey) }, "receipt.signature"],
    [{ ...frame, receipt: { ...receipt, completion_tokens: 400 } }, ctx, "receipt.signature"],
    [{ ...frame, receipt: resign({ request_id: "req_2" }) }, ctx, "receipt.request"],
    [{ ...frame, receipt: resign({ model: "m2" }) }, ctx, "receipt.request"],
    [{ ...frame, receipt: resign({ completion_tokens: 400 }) }, ctx, "receipt.completion_tokens"],
    [{ ...frame, receipt: resign({ prompt_tokens: 1 }) }, ctx, "receipt.prompt_tokens"],
    [frame, { ...ctx, responseHash: "cd".repeat(32) }, "receipt.response_hash"],
    [{ ...frame, sealed_receipt: undefined }, ctx, "receipt.sealed_missing"],
    [frame, { ...ctx, view: { opened: null, textBytes: 13 } }, "receipt.sealed_mismatch"],
    [frame, { ...ctx, view: { opened: resign({ completion_tokens: 3 }), textBytes: 13 } }, "receipt.sealed_mismatch"],
  ];
  for (const [f, c, kind] of cases) {
    const v = checkReceipt(f, c);
    assert.equal(v.verified, false, kind);
    assert.ok(kinds(v).includes(kind), `${kind}: ${kinds(v).join(",")}`);
    assert.deepEqual(v.usage, { promptTokens: 12, completionTokens: 4 }, kind);
  }
});

test("coordinator-sealed: a completion claim above the relayed text is a fault and yields the text cap", async () => {
  const { id, frame, ctx } = await setup();
  const inflated = { prompt_tokens: 12, completion_tokens: 500 };
  const receipt = signReceipt({ request_id: "req_1", model: "m", ...inflated, response_hash: hash }, id.secretKey);
  const v = checkReceipt({ ...frame, usage: inflated, receipt }, { ...ctx, view: { opened: receipt, textBytes: 13 } });
  assert.equal(v.verified, false);
  assert.deepEqual(v.faults, [{ kind: "receipt.completion_tokens_above_text", claimed: 500, allowed: 21 }]);
  assert.deepEqual(v.usage, { promptTokens: 12, completionTokens: 500 });
  assert.equal(v.textCap, 21);
});

test("after a cancel the hash and the text bound are not held against the provider (chunks went unseen)", async () => {
  const { id, frame, ctx } = await setup();
  const receipt = signReceipt({ request_id: "req_1", model: "m", prompt_tokens: 12, completion_tokens: 40, response_hash: "ef".repeat(32) }, id.secretKey);
  const usage = { prompt_tokens: 12, completion_tokens: 40 };
  const v = checkReceipt({ ...frame, usage, receipt }, { ...ctx, view: { opened: receipt, textBytes: 5 }, partial: true });
  assert.deepEqual(v, { usage: { promptTokens: 12, completionTokens: 40 }, verified: true, faults: [], textCap: 13 });
  // Without the cancel, both are faults.
  assert.deepEqual(kinds(checkReceipt({ ...frame, usage, receipt }, { ...ctx, view: { opened: receipt, textBytes: 5 } })), ["receipt.completion_tokens_above_text", "receipt.response_hash"]);
});
