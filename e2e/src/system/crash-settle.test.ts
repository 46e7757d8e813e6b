import assert from "node:assert/strict";
import { after, test } from "node:test";
import { hashApiKey, openStore, type Store } from "@darkbloom/coordinator";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";

const MODEL = "crash-model";
const CREDIT_USD = 100;
let coord: RunningCoordinator | undefined;
let provider: RunningProvider | undefined;
let store: Store | undefined;

after(async () => {
  await store?.close();
  await provider?.stop();
  await coord?.stop();
});

/**
 * A reservation must never stay held: SIGKILL the coordinator mid-stream (no settle ran), restart
 * it on the same database with a short maximum request duration, and its sweeper settles the hold
 * from the delivery checkpoint — the ledger balances and nothing is held.
 */
test("a coordinator killed mid-stream settles the orphaned reservation after restart", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  const first = await startCoordinator({ creditUsd: CREDIT_USD });
  coord = first;
  provider = await startProvider(first, { modelPath, modelId: MODEL });
  // Read the coordinator's own SQLite file (WAL: a second connection reads while it writes).
  store = await openStore({ engine: "sqlite", path: first.dbPath });
  const db = store;
  const accountId = (await db.findApiKeyByHash(hashApiKey(first.apiKey)))!.accountId;

  // The test model never stops on its own: this stream runs until max_tokens, far longer than the test.
  const aborter = new AbortController();
  const res = await fetch(`${first.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${first.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, stream: true, max_tokens: 1_500, messages: [{ role: "user", content: "Tell me everything." }] }),
    signal: aborter.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  void (async () => {
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return;
  })();

  // Event-driven: wait for the write-behind delivery checkpoint of the streaming request.
  await waitFor(
    "a delivery checkpoint for the streaming request",
    async () => {
      const held = await db.heldReservations(Number.MAX_SAFE_INTEGER, 10);
      return held.length === 1 && (held[0]!.delivered?.completionTokens ?? 0) > 0;
    },
    60_000,
    [first.proc, provider.proc],
  );
  await first.proc.kill(); // SIGKILL: no settle, no graceful shutdown
  aborter.abort();

  const [orphan] = await db.heldReservations(Number.MAX_SAFE_INTEGER, 10);
  assert.ok(orphan?.delivered, "the hold survived the crash with its checkpoint");
  assert.equal((await db.getBalance(accountId)).heldMicros, orphan.reservedMicros);

  // Same port, database and key; requests may last 1 s, so the start-up (or next) sweep takes it.
  coord = await startCoordinator({
    port: first.port,
    dataDir: first.dataDir,
    apiKey: first.apiKey,
    creditUsd: CREDIT_USD,
    // A hold may live a queue wait plus a request: both short here, so the sweep takes it at once.
    env: { DARKBLOOM_MAX_REQUEST_SECONDS: "1", DARKBLOOM_STREAM_IDLE_TIMEOUT_MS: "500", DARKBLOOM_QUEUE_MAX_WAIT_MS: "100" },
  });
  const again = coord;
  await waitFor("the sweeper to settle the orphaned hold", async () => (await db.getRequest(orphan.requestId))?.state !== "reserved", 30_000, [
    again.proc,
  ]);

  const rec = (await db.getRequest(orphan.requestId))!;
  assert.equal(rec.state, "expired");
  assert.equal(rec.completionTokens, orphan.delivered.completionTokens, "billed from the delivered-token checkpoint");
  assert.equal(rec.promptTokens, orphan.delivered.promptTokens);
  assert.ok(rec.chargedMicros! > 0 && rec.chargedMicros! <= rec.reservedMicros);
  const balance = await db.getBalance(accountId);
  assert.deepEqual(balance, { availableMicros: CREDIT_USD * 1_000_000 - rec.chargedMicros!, heldMicros: 0 }, "nothing held, only the delivered tokens charged");
  assert.deepEqual(await db.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  assert.deepEqual(await db.heldReservations(Number.MAX_SAFE_INTEGER, 10), []);
  assert.match(again.proc.output(), /"msg":"settled an expired reservation"/);
});
