import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

// The chaos run of issue 7: while providers reconnect after a coordinator restart, a model they
// served must answer 503 + Retry-After (clients retry that), never 404 model_not_found (clients
// give up). The coordinator remembers served models in its database across the restart.

const MODEL = "remembered-model";
let coord: RunningCoordinator | undefined;
let provider: RunningProvider | undefined;

after(async () => {
  await provider?.stop();
  await stopAndAuditLedger(coord);
});

const chat = (c: RunningCoordinator, model: string) =>
  fetch(`${c.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model, max_tokens: 2, messages: [{ role: "user", content: "hi" }] }),
    signal: AbortSignal.timeout(30_000),
  });

test("a model served before a coordinator restart answers 503 with Retry-After while no provider serves it; an unknown one 404", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  const first = await startCoordinator();
  coord = first;
  provider = await startProvider(first, { modelPath, modelId: MODEL, parallel: 1 });
  await provider.stop();
  provider = undefined;
  await first.stop();

  // Same database, no provider.
  coord = await startCoordinator({ port: first.port, dataDir: first.dataDir, apiKey: first.apiKey });
  const res = await chat(coord, MODEL);
  assert.equal(res.status, 503, "remembered across the restart: come back shortly, not 404");
  const retryAfter = Number(res.headers.get("retry-after"));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${res.headers.get("retry-after")}`);
  const body = (await res.json()) as { error: { code: string } };
  assert.equal(body.error.code, "no_provider");

  const unknown = await chat(coord, "never-served-model");
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, "model_not_found");
});
