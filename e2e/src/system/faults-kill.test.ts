import assert from "node:assert/strict";
import { after, test } from "node:test";
import OpenAI from "openai";
import { openStore } from "@darkbloom/coordinator";
import { ensureTestModel, spawnProvider, startCoordinator, startProvider, waitFor, type RunningCoordinator } from "@darkbloom/testkit";
import type { Proc } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";
import { waitForProviders } from "../support/providers.js";

// Fault injection with real processes: providers are SIGKILLed before their first token and in
// the middle of a stream. The first must succeed elsewhere; the second must end with an error
// event, and the consumer must pay only for what was delivered.

const MODEL = "faults-kill-model";
let coord: RunningCoordinator | undefined;
const procs: Proc[] = [];

after(async () => {
  for (const p of procs) await p.kill();
  await stopAndAuditLedger(coord);
});

test("a provider killed before its first token: the request succeeds on another provider", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator();
  const c = coord;
  const a = await startProvider(c, { modelPath, modelId: MODEL });
  procs.push(a.proc);

  // Freeze A (its socket stays open), so the request dispatched to it cannot produce a token.
  a.proc.child.kill("SIGSTOP");
  const client = new OpenAI({ baseURL: c.baseURL, apiKey: c.apiKey, maxRetries: 0, timeout: 120_000 });
  const pending = client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "who answers?" }], max_tokens: 8 });

  // A is the only provider: once the reservation exists, the request is A's.
  const db = await openStore({ engine: "sqlite", path: c.dbPath });
  try {
    await waitFor("the request to be reserved and dispatched", async () => (await db.heldReservations(Number.MAX_SAFE_INTEGER, 10)).length === 1, 30_000, [c.proc]);
  } finally {
    await db.close();
  }

  const b = await spawnProvider(c, { modelPath, modelId: MODEL });
  procs.push(b);
  await waitForProviders(c, 2, [b]);
  a.proc.child.kill("SIGKILL"); // its sockets close with it: the coordinator fails over

  const res = await pending;
  assert.equal(res.choices[0]?.finish_reason, "length");
  assert.equal(res.usage?.completion_tokens, 8, "answered in full by the surviving provider");
  await a.proc.exited;
  await waitForProviders(c, 1, [b]);
});

test("a provider killed mid-stream: the client gets an error event and pays for delivered tokens only", async () => {
  const c = coord!;
  const b = procs[1]!;
  const client = new OpenAI({ baseURL: c.baseURL, apiKey: c.apiKey, maxRetries: 0, timeout: 120_000 });
  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "tell me a long story" }],
    max_tokens: 400,
    stream: true,
  });
  const db = await openStore({ engine: "sqlite", path: c.dbPath });
  let requestId: string | undefined;
  let deltas = 0;
  let failure: unknown;
  try {
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas++;
      if (deltas === 5 && requestId === undefined) {
        // The only request in flight: its hold is the one held reservation.
        const held = await db.heldReservations(Number.MAX_SAFE_INTEGER, 10);
        assert.equal(held.length, 1);
        requestId = held[0]!.requestId;
        b.child.kill("SIGKILL");
      }
    }
  } catch (err) {
    failure = err;
  }
  assert.ok(failure instanceof Error, "the stream ends with an error, not a silent cut");
  assert.match(String(failure), /provider|interrupted|failed|error/i);
  assert.ok(deltas >= 5 && deltas < 400, `the stream was cut (got ${deltas} deltas)`);

  assert.ok(requestId, "the stream delivered 5 deltas before the kill");
  try {
    await waitFor("the interrupted request to settle", async () => (await db.getRequest(requestId!))?.state !== "reserved", 30_000, [c.proc]);
    const rec = (await db.getRequest(requestId!))!;
    assert.equal(rec.state, "failed");
    assert.ok(rec.completionTokens! >= 5, `the delivered tokens are billed (billed ${rec.completionTokens})`);
    assert.ok(rec.completionTokens! < 400, `undelivered tokens are not billed (billed ${rec.completionTokens})`);
    assert.ok(rec.chargedMicros! > 0 && rec.chargedMicros! <= rec.reservedMicros, JSON.stringify(rec));
  } finally {
    await db.close();
  }
});
