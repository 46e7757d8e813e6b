import assert from "node:assert/strict";
import { after, test } from "node:test";
import OpenAI from "openai";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const MODEL = "reconnect-model";
let coord: RunningCoordinator | undefined;
let provider: RunningProvider | undefined;

after(async () => {
  await provider?.stop();
  await stopAndAuditLedger(coord);
});

test("a provider re-registers by itself after the coordinator restarts", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  const first = await startCoordinator();
  coord = first;
  provider = await startProvider(first, { modelPath, modelId: MODEL });
  await first.stop();

  // Same port, same database, same key: the provider's backoff loop must find it again.
  coord = await startCoordinator({ port: first.port, dataDir: first.dataDir, apiKey: first.apiKey });
  const again = coord;
  await waitFor(
    "provider to reconnect",
    async (signal) => {
      const res = await fetch(`${again.baseURL}/models`, { headers: { authorization: `Bearer ${again.apiKey}` }, signal });
      const body = (await res.json()) as { data?: { id: string }[] };
      return (body.data ?? []).some((m) => m.id === MODEL);
    },
    60_000,
    [again.proc, provider.proc],
  );
  const client = new OpenAI({ baseURL: again.baseURL, apiKey: again.apiKey, maxRetries: 0 });
  const res = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "back?" }], max_tokens: 3 });
  assert.equal(res.usage?.completion_tokens, 3);
  assert.match(provider.proc.output(), /"event":"disconnected"/);
});
