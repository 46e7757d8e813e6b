import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ModelCapacityListSchema } from "@darkbloom/protocol";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

// A burst over capacity against real processes: two single-slot providers, 30 streaming requests
// at once. Admission serves what fits, queues up to the queue depth, and refuses the rest early
// with 429 + Retry-After in [2, 30]; no request waits in the queue past its limit (a short one
// here, set through the environment); the books balance and nothing stays held.

const MODEL = "overload-model";
const BURST = 30;
const QUEUE_DEPTH = 6;
const QUEUE_MAX_WAIT_MS = 20_000;
/** Slack for timer lateness on a loaded 2-core test machine (the queue phase is server-measured). */
const TIMER_SLACK_MS = 2_000;
let coord: RunningCoordinator | undefined;
const providers: RunningProvider[] = [];

after(async () => {
  await Promise.all(providers.map((p) => p.stop()));
  await stopAndAuditLedger(coord);
});

interface Outcome {
  status: number;
  retryAfter: string | null;
  /** X-Timing phases (ms). */
  timing: Map<string, number>;
  /** Streamed content read to the end (200) or the error body. */
  body: string;
}

function phases(h: Headers): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (h.get("x-timing") ?? "").split(",")) {
    const [k, v] = part.split("=");
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

async function send(c: RunningCoordinator, i: number): Promise<Outcome> {
  const res = await fetch(`${c.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, stream: true, max_tokens: 8, messages: [{ role: "user", content: `burst ${i}` }] }),
    signal: AbortSignal.timeout(180_000),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), timing: phases(res.headers), body: await res.text() };
}

test("a burst over capacity: some served, the rest refused early with 429 + Retry-After, nobody waits past the queue limit, nothing held", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator({ env: { DARKBLOOM_QUEUE_DEPTH: String(QUEUE_DEPTH), DARKBLOOM_QUEUE_MAX_WAIT_MS: String(QUEUE_MAX_WAIT_MS) } });
  const c = coord;
  for (let i = 0; i < 2; i++) providers.push(await startProvider(c, { modelPath, modelId: MODEL, parallel: 1 }));
  // The second provider's model is listed already (the first's): wait until both can be routed to.
  await waitFor(
    "both providers routable",
    async (signal) => {
      const res = await fetch(`${c.baseURL}/models/capacity`, { headers: { authorization: `Bearer ${c.apiKey}` }, signal });
      return ModelCapacityListSchema.parse(await res.json()).data.some((m) => m.id === MODEL && m.routable_providers === 2 && m.ready);
    },
    120_000,
    [c.proc, ...providers.map((p) => p.proc)],
  );

  const outcomes = await Promise.all(Array.from({ length: BURST }, (_, i) => send(c, i)));
  const served = outcomes.filter((o) => o.status === 200);
  const refused = outcomes.filter((o) => o.status === 429);
  assert.deepEqual(
    outcomes.filter((o) => o.status !== 200 && o.status !== 429).map((o) => `${o.status} ${o.body.slice(0, 200)}`),
    [],
    "every request is either served or refused with 429",
  );
  assert.ok(served.length >= 2, `both providers served (${served.length} × 200)`);
  for (const o of served) assert.match(o.body, /data: \[DONE\]/, "a served stream runs to its end");

  assert.ok(refused.length >= 1, "the burst exceeds 2 slots + the queue");
  for (const o of refused) {
    const s = Number(o.retryAfter);
    assert.ok(Number.isInteger(s) && s >= 2 && s <= 30, `Retry-After in [2, 30]: ${o.retryAfter}`);
    const err = (JSON.parse(o.body) as { error: { type: string; code: string } }).error;
    assert.equal(err.type, "rate_limit_error");
    assert.equal(err.code, "capacity_exceeded");
  }
  // Refused at once: never queued (no `queue` phase), nothing reserved before the refusal.
  const early = refused.filter((o) => !o.timing.has("queue"));
  assert.ok(early.length >= 1, "some were refused without waiting");

  for (const o of outcomes) {
    const waited = o.timing.get("queue") ?? 0;
    assert.ok(waited <= QUEUE_MAX_WAIT_MS + TIMER_SLACK_MS, `waited ${waited} ms in the queue (limit ${QUEUE_MAX_WAIT_MS} ms)`);
  }

  const cap = await fetch(`${c.baseURL}/models/capacity`, { headers: { authorization: `Bearer ${c.apiKey}` } });
  const entry = ModelCapacityListSchema.parse(await cap.json()).data.find((m) => m.id === MODEL);
  assert.equal(entry?.queued_requests, 0, "the queue drained");
  assert.equal(entry?.queue_limit, QUEUE_DEPTH);
});
