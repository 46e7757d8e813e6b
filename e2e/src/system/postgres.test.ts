import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { createThrowawayDatabase, hashApiKey, openStore, postgresUnavailable, testPostgresUrl, type Store, type ThrowawayDatabase } from "@darkbloom/coordinator";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";

const MODEL = "pg-chat";
const CREDIT_USD = 50;
const adminUrl = testPostgresUrl();
const unavailable = await postgresUnavailable(adminUrl);

/**
 * The coordinator as a real process on PostgreSQL (DARKBLOOM_DATABASE_URL=postgres://…, a
 * throw-away database), serving completions through a real provider: the money lands in
 * PostgreSQL and the books balance afterwards.
 */
describe("coordinator on PostgreSQL", { skip: unavailable ?? false }, () => {
  let tmp: ThrowawayDatabase;
  let coord: RunningCoordinator;
  let provider: RunningProvider;
  let store: Store;

  before(async () => {
    tmp = await createThrowawayDatabase(adminUrl, "darkbloom_e2e");
    const modelPath = await ensureTestModel({ preset: "tiny" });
    coord = await startCoordinator({ creditUsd: CREDIT_USD, env: { DARKBLOOM_DATABASE_URL: tmp.url } });
    provider = await startProvider(coord, { modelPath, modelId: MODEL });
    store = await openStore({ engine: "postgres", url: tmp.url, display: "test" });
  });

  after(async () => {
    await store?.close();
    await provider?.stop();
    await coord?.stop();
    await tmp?.drop();
  });

  test("serves plain and end-to-end sealed completions, stream and not, and the ledger balances", async () => {
    assert.equal(existsSync(coord.dbPath), false, "no SQLite file: the store is PostgreSQL");
    assert.match(coord.proc.output(), /"msg":"listening".*"database":"postgres:\/\//);

    const plain = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
    const sealed = new OpenAI({
      baseURL: coord.baseURL,
      apiKey: coord.apiKey,
      maxRetries: 0,
      fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey }),
    });
    const messages = [{ role: "user" as const, content: "Say hello" }];
    for (const client of [plain, sealed]) {
      const done = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 4 });
      assert.ok((done.usage?.completion_tokens ?? 0) > 0);
      const stream = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 4, stream: true, stream_options: { include_usage: true } });
      let chunks = 0;
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) chunks++;
      assert.ok(chunks > 0);
    }

    const accountId = (await store.findApiKeyByHash(hashApiKey(coord.apiKey)))!.accountId;
    // Settlement may finish just after the response ends: wait (bounded) until nothing is held.
    await waitFor("every request settled in PostgreSQL", async () => (await store.getBalance(accountId)).heldMicros === 0, 15_000, [coord.proc, provider.proc]);
    const balance = await store.getBalance(accountId);
    assert.ok(balance.availableMicros < CREDIT_USD * 1_000_000, "the requests were charged");
    assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
    assert.deepEqual(await store.heldReservations(Number.MAX_SAFE_INTEGER, 10), []);
  });
});
