import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { ensureTestModel } from "@darkbloom/testkit";
import { loadEngine } from "../cli/load-engine.js";
import type { HostedEngine } from "../serve/types.js";
import { startLocalServer, type LocalServer } from "./local-server.js";

let engine: HostedEngine;
let server: LocalServer;
let client: OpenAI;

before(async () => {
  engine = await loadEngine({ modelPath: await ensureTestModel({ preset: "tiny" }), modelId: "tiny", parallel: 2 }, () => {});
  server = await startLocalServer(new Map([["tiny", engine]]), 0);
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "local", maxRetries: 0 });
});
after(async () => {
  await server.close();
  await engine.close();
});

test("darkbloom local answers the official openai client, streaming and not", async () => {
  const res = await client.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 4 });
  assert.equal(res.usage?.completion_tokens, 4);
  const stream = await client.chat.completions.create({
    model: "tiny",
    messages: [{ role: "user", content: "hi" }],
    max_tokens: 6,
    stream: true,
    stream_options: { include_usage: true },
  });
  let usage = 0;
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage.completion_tokens;
  assert.equal(usage, 6);
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ["tiny"]);
});

test("errors come back in OpenAI's shape", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 1_000_000 }),
    (e: unknown) => e instanceof OpenAI.BadRequestError,
  );
  await assert.rejects(
    client.chat.completions.create({ model: "tiny", messages: [], max_tokens: 1 }),
    (e: unknown) => e instanceof OpenAI.BadRequestError,
  );
});
