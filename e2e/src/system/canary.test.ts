import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { assertNotStored } from "../support/canary.js";

/**
 * Privacy canary against real processes: a unique string in the prompt must never reach the
 * coordinator's logs (at debug level) or its SQLite files (database, WAL, shared memory), in e2e
 * mode (the coordinator cannot read it) and in coordinator-sealed mode (it holds the plaintext in
 * memory only). Completions of the plain requests are checked too.
 */
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

const newCanary = (mode: string) => `CANARY-${mode}-${randomBytes(16).toString("hex")}`;

async function ask(client: OpenAI, canary: string): Promise<string[]> {
  const completions: string[] = [];
  for (const stream of [false, true]) {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "system", content: `secret system ${canary}` },
      { role: "user", content: `Repeat after me: ${canary}` },
    ];
    if (stream) {
      let text = "";
      for await (const c of await client.chat.completions.create({ model: MODEL, messages, max_tokens: 8, stream })) {
        text += c.choices[0]?.delta.content ?? "";
      }
      completions.push(text);
    } else {
      const res = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 8 });
      completions.push(res.choices[0]?.message.content ?? "");
    }
  }
  return completions;
}


test("a canary in the prompt never reaches the coordinator's logs, database or WAL, in either mode", async () => {
  const e2eCanary = newCanary("e2e");
  const plainCanary = newCanary("plain");
  const e2eClient = new OpenAI({
    baseURL: coord.baseURL,
    apiKey: coord.apiKey,
    maxRetries: 0,
    fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey }),
  });
  const plainClient = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
  await ask(e2eClient, e2eCanary);
  const { response } = await plainClient.chat.completions
    .create({ model: MODEL, messages: [{ role: "user", content: `once more ${plainCanary}` }], max_tokens: 4 })
    .withResponse();
  assert.equal(response.headers.get("x-darkbloom-privacy"), "coordinator-sealed", "the plain client really used coordinator-sealed mode");
  const completions = await ask(plainClient, plainCanary);
  // Random words from the test model: long enough to be distinctive, they must not be stored either.
  const replies = completions.map((c) => c.trim()).filter((c) => c.length >= 16);
  const secrets = [e2eCanary, plainCanary, ...replies];

  // While running: the recent writes sit in the WAL, not yet checkpointed into the database.
  const running = await assertNotStored(coord.dataDir, secrets, "while running");
  assert.ok(running.some((n) => n.endsWith("-wal")), `a WAL file was checked (files: ${running.join(", ")})`);

  await coord.stop();
  const logs = coord.proc.output();
  assert.match(logs, /"privacy":"e2e"/, "e2e requests were logged");
  assert.match(logs, /"privacy":"coordinator-sealed"/, "coordinator-sealed requests were logged");
  for (const s of secrets) assert.ok(!logs.includes(s), `${JSON.stringify(s)} found in the coordinator logs`);
  await assertNotStored(coord.dataDir, secrets, "after shutdown");
});
