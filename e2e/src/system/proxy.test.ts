import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import {
  ensureTestModel,
  freePort,
  repoRoot,
  spawnNode,
  startCoordinator,
  startProvider,
  waitFor,
  type Proc,
  type RunningCoordinator,
  type RunningProvider,
} from "@darkbloom/testkit";
import { assertNotStored } from "../support/canary.js";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * `darkbloom proxy` (the built bin) between the official clients and a real coordinator + provider:
 * the clients change only their base URL (and send no key of ours), and a canary in every prompt
 * never reaches the coordinator's debug logs or its SQLite files.
 */
const MODEL = "proxy-model";
let coord: RunningCoordinator;
let provider: RunningProvider;
let proxy: Proc;
let origin: string;

before(async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator({ env: { DARKBLOOM_LOG_LEVEL: "debug" } });
  provider = await startProvider(coord, { modelPath, modelId: MODEL });
  const port = await freePort();
  proxy = spawnNode(join(repoRoot, "packages/provider/bin/darkbloom.js"), ["proxy", "--coordinator", coord.origin, "--port", String(port)], { DARKBLOOM_API_KEY: coord.apiKey }, "proxy");
  origin = `http://127.0.0.1:${port}`;
  await waitFor("darkbloom proxy passing /health through", async (signal) => (await fetch(`${origin}/health`, { signal })).ok, 30_000, [proxy, coord.proc]);
});

after(async () => {
  await proxy?.stop();
  await provider?.stop();
  await stopAndAuditLedger(coord);
});

test("openai and Anthropic clients through the proxy: e2e sealed, the canary never seen by the coordinator", async () => {
  const canary = `CANARY-proxy-${randomBytes(16).toString("hex")}`;
  // The client's key is a placeholder: the proxy holds the real one.
  const openai = new OpenAI({ baseURL: `${origin}/v1`, apiKey: "unused", maxRetries: 0 });
  const anthropic = new Anthropic({ baseURL: origin, apiKey: "unused", maxRetries: 0 });

  const { data: plain, response } = await openai.chat.completions
    .create({ model: MODEL, max_tokens: 6, messages: [{ role: "user", content: `Repeat: ${canary}` }] })
    .withResponse();
  assert.equal(response.headers.get("x-darkbloom-privacy"), "e2e");
  assert.equal(plain.object, "chat.completion");
  assert.equal(plain.usage?.completion_tokens, 6);

  const { data: stream, response: streamRes } = await openai.chat.completions
    .create({ model: MODEL, max_tokens: 6, stream: true, messages: [{ role: "system", content: `secret ${canary}` }, { role: "user", content: "go" }] })
    .withResponse();
  assert.equal(streamRes.headers.get("x-darkbloom-privacy"), "e2e");
  let text = "";
  let chunks = 0;
  for await (const c of stream) {
    chunks++;
    text += c.choices[0]?.delta.content ?? "";
  }
  assert.ok(chunks >= 2 && text.length > 0, `streamed ${chunks} chunks`);

  const msgStream = anthropic.messages.stream({ model: MODEL, max_tokens: 7, system: `secret ${canary}`, messages: [{ role: "user", content: `Say ${canary}` }] });
  const types = new Set<string>();
  msgStream.on("streamEvent", (ev) => types.add(ev.type));
  const final = await msgStream.finalMessage();
  assert.equal(final.usage.output_tokens, 7);
  assert.ok(types.has("message_start") && types.has("content_block_delta") && types.has("message_stop"), [...types].join(","));
  const { response: anthropicRes } = await anthropic.messages.create({ model: MODEL, max_tokens: 2, messages: [{ role: "user", content: canary }] }).withResponse();
  assert.equal(anthropicRes.headers.get("x-darkbloom-privacy"), "e2e");

  const models = await openai.models.list();
  assert.ok(models.data.some((m) => m.id === MODEL), "GET /v1/models passes through");

  const secrets = [canary, ...[plain.choices[0]?.message.content ?? "", text].map((s) => s.trim()).filter((s) => s.length >= 16)];
  const running = await assertNotStored(coord.dataDir, secrets, "while running");
  assert.ok(running.some((n) => n.endsWith("-wal")), `a WAL file was checked (files: ${running.join(", ")})`);
  await proxy.stop();
  await provider.stop();
  await coord.stop();
  const logs = coord.proc.output();
  assert.match(logs, /"privacy":"e2e"/, "the coordinator logged e2e requests");
  assert.doesNotMatch(logs, /"privacy":"coordinator-sealed"/, "nothing went through coordinator-sealed mode");
  for (const s of secrets) assert.ok(!logs.includes(s), `${JSON.stringify(s)} found in the coordinator logs`);
  await assertNotStored(coord.dataDir, secrets, "after shutdown");
});

