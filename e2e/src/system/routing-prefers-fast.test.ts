import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * Two real providers serve the same model id: one the tiny generated model, the other the
 * `medium` one (same tokenizer, ~100× the compute per token: a genuinely slower engine, no mock).
 * After one warm-up request each, the coordinator knows their prefill speeds (its own measurement
 * of time to first token, and the heartbeats' observed tok/s), and the cost function sends
 * sequential requests to the fast one. Requests carry a long prompt (~1,000 tokens) and a short
 * answer (both models end a reply after one token, `eos: favour`): prefill dominates, and its
 * estimate differs by more than the 3 s tie window on a fast machine and a crowded one alike.
 * Which provider served is read from the response's x-provider-id.
 */
const MODEL = "routing-model";
const MAX_TOKENS = 4;
const SEQUENTIAL = 10;
/** About 1,000 prompt tokens (the generated tokenizer splits most short words in two or three). */
const LONG_PROMPT = Array.from({ length: 400 }, (_, i) => ["amber", "river", "stone", "quiet", "lantern"][i % 5]).join(" ");

let coord: RunningCoordinator | undefined;
const providers: RunningProvider[] = [];

after(async () => {
  await Promise.all(providers.map((p) => p.stop()));
  await stopAndAuditLedger(coord);
});

const REGISTERED = /"event":"registered"[^\n]*?"provider_id":"([^"]+)"/;

/** The provider id a real provider process logs once `registered` reaches it. */
async function providerIdOf(p: RunningProvider): Promise<string> {
  await waitFor("the provider's registered log line", async () => REGISTERED.test(p.proc.output()), 30_000, [p.proc]);
  return REGISTERED.exec(p.proc.output())![1]!;
}

type Listed = { id: string; routable: boolean; models: { prefill_tps: number; prefill_tps_source: string }[] };

test("sequential requests go to the faster of two providers once their speeds are known", async () => {
  const [fastModel, slowModel] = await Promise.all([ensureTestModel({ preset: "tiny", eos: "favour" }), ensureTestModel({ preset: "medium", eos: "favour" })]);
  const c = (coord = await startCoordinator());
  // Linked to the test account, so GET /v1/account/providers shows them (their own requests cost nothing).
  const env = { DARKBLOOM_ACCOUNT_KEY: c.apiKey };
  const fast = await startProvider(c, { modelPath: fastModel, modelId: MODEL, parallel: 2, env });
  providers.push(fast);
  const slow = await startProvider(c, { modelPath: slowModel, modelId: MODEL, parallel: 2, env });
  providers.push(slow);
  const fastId = await providerIdOf(fast);
  const slowId = await providerIdOf(slow);

  const chat = async (content: string): Promise<string> => {
    const res = await fetch(`${c.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: MAX_TOKENS, messages: [{ role: "user", content: `${content}: ${LONG_PROMPT}` }] }),
    });
    const body = (await res.json()) as { usage?: { prompt_tokens: number; completion_tokens: number } };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.ok((body.usage?.completion_tokens ?? 0) >= 1);
    assert.ok((body.usage?.prompt_tokens ?? 0) >= 600, `a long prompt: ${JSON.stringify(body.usage)}`);
    return res.headers.get("x-provider-id") ?? "";
  };

  // Warm-up: two at once, so each provider serves one (equal unknown speeds tie; the shorter queue wins).
  const warm = await Promise.all([chat("warm up one"), chat("warm up two")]);
  assert.deepEqual([...warm].sort(), [fastId, slowId].sort(), "one warm-up request each");

  const listed = async (): Promise<Listed[]> => {
    const res = await fetch(`${c.baseURL}/account/providers`, { headers: { authorization: `Bearer ${c.apiKey}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { data: Listed[] }).data;
  };
  await waitFor(
    "both providers' prefill speeds known",
    async () => {
      const ps = await listed();
      return ps.length === 2 && ps.every((p) => p.routable && p.models[0]!.prefill_tps_source !== "default");
    },
    60_000,
    [c.proc, fast.proc, slow.proc],
  );
  const speeds = Object.fromEntries((await listed()).map((p) => [p.id === fastId ? "fast" : "slow", p.models[0]!.prefill_tps]));
  assert.ok(speeds.fast! > speeds.slow!, `the tiny model prefills faster: ${JSON.stringify(speeds)}`);

  const served: string[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) served.push(await chat(`request ${i}`));
  const toFast = served.filter((id) => id === fastId).length;
  // Random routing would manage this in about 1% of runs; the cost router in all of them.
  assert.ok(toFast >= SEQUENTIAL - 1, `${toFast} of ${SEQUENTIAL} went to the fast provider (speeds ${JSON.stringify(speeds)})`);
});
