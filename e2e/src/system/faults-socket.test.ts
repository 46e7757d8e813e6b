import assert from "node:assert/strict";
import { after, test } from "node:test";
import OpenAI from "openai";
import { FakeProvider } from "@darkbloom/coordinator/test-support/fake-provider";
import { withDeadline } from "@darkbloom/coordinator/test-support/wait";
import { ensureTestModel, spawnProvider, startCoordinator, waitFor, type Proc, type RunningCoordinator } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";
import { waitForProviders } from "../support/providers.js";

// Hostile or broken provider connections against a real coordinator process. The misbehaving
// peer is a scripted provider built from the real protocol code (a real provider never does
// these things); the provider that must keep serving is a real `darkbloom` process.

const MODEL = "faults-socket-model";
let coord: RunningCoordinator | undefined;
const procs: Proc[] = [];
const fakes: FakeProvider[] = [];

after(async () => {
  for (const f of fakes) f.ws.terminate();
  for (const p of procs) await p.kill();
  await stopAndAuditLedger(coord);
});

test("a provider that stops reading its socket is dropped by the write watchdog; its requests fail over or end cleanly", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  // The watchdog fires after 20 s without write progress: long enough for the real provider,
  // started after the requests, to be registered by then on a busy machine.
  coord = await startCoordinator({ env: { DARKBLOOM_WRITE_TIMEOUT_MS: "20000" } });
  const c = coord;
  const stuck = await FakeProvider.connect(c.origin, { models: [MODEL], behavior: () => "hang", token: c.providerToken });
  fakes.push(stuck);
  const closed = new Promise<number>((resolve) => stuck.ws.once("close", (code) => resolve(code)));
  stuck.ws.pause(); // stops reading: the coordinator's writes pile up in the kernel, then in its writer

  // The stuck provider is the only one: each ~3 MB request (an ignored padding field) is sent to
  // it, far more than loopback socket buffers hold.
  const client = new OpenAI({ baseURL: c.baseURL, apiKey: c.apiKey, maxRetries: 0, timeout: 180_000 });
  const padding = "p".repeat(3 * 1024 * 1024);
  const outcomes = Array.from({ length: 4 }, (_, i) =>
    client.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: `padded ${i}` }], max_tokens: 2, padding } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .then(
        (r) => ({ ok: true as const, tokens: r.usage?.completion_tokens }),
        (err: unknown) => ({ ok: false as const, status: err instanceof OpenAI.APIError ? err.status : undefined, message: String(err) }),
      ),
  );

  const real = await spawnProvider(c, { modelPath, modelId: MODEL });
  procs.push(real);
  await waitFor("the stuck provider to be dropped", async () => /provider socket stuck; dropping/.test(c.proc.output()), 90_000, [c.proc]);
  stuck.ws.resume();
  await withDeadline(closed, 60_000, "the stuck connection to be closed");

  const results = await Promise.all(outcomes);
  console.log(`# stuck-provider requests: ${JSON.stringify(results)}`);
  for (const r of results) {
    if (r.ok) assert.equal(r.tokens, 2, "served in full after failover");
    else assert.ok(r.status !== undefined && r.status >= 500, `ended with a clean error, not a hang: ${r.message}`);
  }
  // The coordinator is unaffected: the real provider serves.
  await waitForProviders(c, 1, [real]);
  const res = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "still there?" }], max_tokens: 3 });
  assert.equal(res.usage?.completion_tokens, 3);
});

test("a provider sending garbage frames is disconnected; the coordinator keeps serving", async () => {
  const c = coord!;
  const garbage: { name: string; frame: string }[] = [
    { name: "not JSON", frame: "{ this is not json" },
    { name: "unknown frame type", frame: JSON.stringify({ type: "mine_bitcoin", request_id: "x" }) },
    { name: "valid type, invalid payload", frame: JSON.stringify({ type: "inference_chunk", request_id: 42 }) },
    { name: "over the frame size limit", frame: JSON.stringify({ type: "heartbeat", junk: "j".repeat(11 * 1024 * 1024) }) },
  ];
  for (const g of garbage) {
    const fake = await FakeProvider.connect(c.origin, { models: [MODEL], token: c.providerToken });
    fakes.push(fake);
    const code = new Promise<number>((resolve) => fake.ws.once("close", (n) => resolve(n)));
    fake.ws.send(g.frame);
    const closedWith = await withDeadline(code, 60_000, `the connection sending ${g.name} to close`);
    assert.ok([1002, 1003, 1006, 1007, 1008, 1009].includes(closedWith), `${g.name}: closed with ${closedWith}`);
  }
  assert.equal((await fetch(`${c.origin}/health`)).status, 200);
  await waitForProviders(c, 1, [], 30_000);
  const client = new OpenAI({ baseURL: c.baseURL, apiKey: c.apiKey, maxRetries: 0 });
  const res = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "unaffected?" }], max_tokens: 3 });
  assert.equal(res.usage?.completion_tokens, 3);
});
