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

test("darkbloom local serves the other API families too: completions, responses, messages, count_tokens", async () => {
  const completion = await client.completions.create({ model: "tiny", prompt: "Once", max_tokens: 3 });
  assert.equal(completion.usage?.completion_tokens, 3);
  const response = await client.responses.create({ model: "tiny", input: "hi", max_output_tokens: 3 });
  assert.equal(response.usage?.output_tokens, 3);
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/v1/messages${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const messages = [{ role: "user", content: "hi" }];
  const msg = (await (await post("", { model: "tiny", max_tokens: 2, messages })).json()) as { usage: { input_tokens: number; output_tokens: number } };
  assert.equal(msg.usage.output_tokens, 2);
  const counted = (await (await post("/count_tokens", { model: "tiny", messages })).json()) as { input_tokens: number };
  assert.equal(counted.input_tokens, msg.usage.input_tokens);
  const bad = await post("", { model: "tiny", messages });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { type: string }).type, "error");
});
