import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";

const MODEL = "canary-model";
let coord: RunningCoordinator;
let provider: RunningProvider;

before(async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator({ env: { DARKBLOOM_LOG_LEVEL: "debug" } });
  provider = await startProvider(coord, { modelPath, modelId: MODEL });
});

after(async () => {
  await provider?.stop();
  await coord?.stop();
});

test("e2e: a canary in the prompt never reaches the coordinator's logs or database", async () => {
  const canary = `CANARY-${randomBytes(16).toString("hex")}`;
  const client = new OpenAI({
    baseURL: coord.baseURL,
    apiKey: coord.apiKey,
    maxRetries: 0,
    fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey }),
  });
  for (const stream of [false, true]) {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "system", content: `secret system ${canary}` },
        { role: "user", content: `Repeat after me: ${canary}` },
      ],
      max_tokens: 8,
      stream,
    });
    if (stream) for await (const _ of res as AsyncIterable<unknown>) void _;
  }
  await coord.stop();
  const logs = coord.proc.output();
  assert.ok(logs.length > 0, "the coordinator logged something");
  assert.ok(!logs.includes(canary), "canary found in coordinator logs");
  for (const name of await readdir(coord.dataDir)) {
    const bytes = await readFile(join(coord.dataDir, name));
    assert.ok(!bytes.includes(canary), `canary found in ${name}`);
  }
});
