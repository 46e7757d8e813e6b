import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const MODEL = "tiny-chat";

describe("walking skeleton: openai client → coordinator → provider", () => {
  let coord: RunningCoordinator;
  let provider: RunningProvider;
  let modelPath: string;

  before(async () => {
    modelPath = await ensureTestModel({ preset: "tiny" });
    coord = await startCoordinator();
    provider = await startProvider(coord, { modelPath, modelId: MODEL });
  });

  after(async () => {
    await provider?.stop();
    await stopAndAuditLedger(coord);
  });

  const plainClient = () => new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
  const privateClient = () =>
    new OpenAI({
      baseURL: coord.baseURL,
      apiKey: coord.apiKey,
      maxRetries: 0,
      fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey }),
    });

  for (const mode of ["coordinator-sealed", "e2e"] as const) {
    const client = () => (mode === "e2e" ? privateClient() : plainClient());

    test(`${mode}: non-streaming completion with exact usage`, async () => {
      const { data, response } = await client()
        .chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Say hello" }], max_tokens: 12 })
        .withResponse();
      assert.equal(response.headers.get("x-darkbloom-privacy"), mode);
      assert.ok(response.headers.get("x-request-id"));
      assert.ok(response.headers.get("x-provider-id"));
      assert.equal(data.object, "chat.completion");
      assert.equal(data.model, MODEL);
      const choice = data.choices[0];
      assert.ok(choice);
      assert.equal(choice.message.role, "assistant");
      assert.ok((choice.message.content ?? "").length > 0);
      assert.equal(choice.finish_reason, "length");
      assert.equal(data.usage?.completion_tokens, 12);
      assert.ok((data.usage?.prompt_tokens ?? 0) > 0);
    });

    test(`${mode}: streaming completion with usage chunk`, async () => {
      const stream = await client().chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "Tell me a story" }],
        max_tokens: 20,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let deltas = 0;
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        const c = chunk.choices[0];
        if (c?.delta.content) {
          text += c.delta.content;
          deltas++;
        }
        if (c?.finish_reason) finish = c.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      assert.ok(deltas > 1, "several content deltas");
      assert.ok(text.length > 0);
      assert.equal(finish, "length");
      assert.equal(usage?.completion_tokens, 20);
      assert.equal(usage?.total_tokens, (usage?.prompt_tokens ?? 0) + 20);
    });

    test(`${mode}: seed makes sampling repeatable and stop cuts the text before the stop string`, async () => {
      const ask = (stop?: string) =>
        client().chat.completions.create({
          model: MODEL,
          messages: [{ role: "user", content: "Say something" }],
          max_tokens: 24,
          temperature: 0.9,
          top_p: 0.95,
          seed: 1234,
          ...(stop !== undefined && { stop }),
        });
      const first = (await ask()).choices[0]?.message.content ?? "";
      const second = (await ask()).choices[0]?.message.content ?? "";
      assert.equal(second, first);
      const cut = Math.floor(first.length / 2);
      const stop = first.slice(cut, cut + 3);
      assert.equal(stop.length, 3);
      const stopped = await ask(stop);
      assert.equal(stopped.choices[0]?.finish_reason, "stop");
      assert.equal(stopped.choices[0]?.message.content, first.slice(0, first.indexOf(stop)));
    });

    test(`${mode}: n > 1 is rejected with 400`, async () => {
      await assert.rejects(
        client().chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "x" }], n: 2 }),
        (err: unknown) => err instanceof OpenAI.BadRequestError,
      );
    });
  }

  test("both modes refuse what they cannot honour with the same 400 and param", async () => {
    const user = (content: OpenAI.ChatCompletionUserMessageParam["content"]) => [{ role: "user" as const, content }];
    const requests: [string, Record<string, unknown>][] = [
      [
        "response_format.json_schema.schema.properties.n.pattern",
        { response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { n: { type: "string", pattern: "^a" } } } } } },
      ],
      // This model's chat template cannot render tools: the provider says so in both modes.
      ["tools", { tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }] }],
      ["messages.1.tool_call_id", { messages: [...user("q"), { role: "tool", tool_call_id: "c1", content: "42" }] }],
      ["messages.0.content.1", { messages: user([{ type: "text", text: "what is it?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }]) }],
      ["logprobs", { logprobs: true, top_k: 40 }],
      ["temperature", { temperature: 3 }],
    ];
    for (const [param, extra] of requests) {
      const answers: { status: number; param: unknown; message: string }[] = [];
      for (const client of [plainClient(), privateClient()]) {
        const body = { model: MODEL, messages: user("hi"), max_tokens: 4, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming;
        const err = await client.chat.completions.create(body).then(
          () => assert.fail(`${param}: accepted`),
          (e: unknown) => e,
        );
        assert.ok(err instanceof OpenAI.BadRequestError, `${param}: ${String(err)}`);
        answers.push({ status: err.status, param: err.param, message: err.message });
      }
      const [plain, e2e] = answers;
      assert.equal(plain?.param, param, `plain mode names ${param}`);
      assert.deepEqual(e2e, plain, `e2e mode answers ${param} as plain mode does`);
    }
  });

  test("a bad API key gets 401 in OpenAI's error shape", async () => {
    const bad = new OpenAI({ baseURL: coord.baseURL, apiKey: `sk-db-${"0".repeat(64)}`, maxRetries: 0 });
    await assert.rejects(
      bad.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }] }),
      (err: unknown) => err instanceof OpenAI.AuthenticationError && err.status === 401,
    );
  });

  test("a malformed body gets 400 in OpenAI's error shape", async () => {
    const res = await fetch(`${coord.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${coord.apiKey}`, "content-type": "application/json" },
      body: '{"model": "tiny-chat", "messages": [',
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error?: { message?: string; type?: string } };
    assert.equal(body.error?.type, "invalid_request_error");
    assert.ok(body.error?.message);
    const missing = await fetch(`${coord.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${coord.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL }),
    });
    assert.equal(missing.status, 400);
  });

  test("an unknown model gets 404", async () => {
    await assert.rejects(
      plainClient().chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }),
      (err: unknown) => err instanceof OpenAI.NotFoundError,
    );
  });

  // Last: it kills the provider.
  test("a provider killed mid-stream yields a clean error to the client", async () => {
    for (const client of [plainClient(), privateClient()]) {
      if (provider.proc.child.exitCode !== null || provider.proc.child.signalCode !== null) {
        provider = await startProvider(coord, { modelPath, modelId: MODEL });
      }
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "Write forever" }],
        max_tokens: 1500,
        stream: true,
      });
      let received = 0;
      const consumed = (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content) received++;
          if (received === 3) await provider.kill();
        }
      })();
      await assert.rejects(consumed, (err: unknown) => err instanceof OpenAI.APIError);
      assert.ok(received >= 3);
    }
  });
});
