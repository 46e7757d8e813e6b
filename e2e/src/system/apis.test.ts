import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const MODEL = "tiny-apis";
const MAX_BODY = 64 * 1024;

/** Anthropic sampling fields, which newer SDK typings omit. */
const sampling = (fields: { temperature?: number; top_k?: number }): object => fields;

/**
 * Every consumer API beyond chat completions — legacy completions, Responses, Anthropic Messages
 * and count_tokens — through the official `openai` and `@anthropic-ai/sdk` clients against a real
 * coordinator and provider, stream and not, in both privacy modes (one suite run per mode).
 */
describe("every API family through the official clients", () => {
  let coord: RunningCoordinator;
  let provider: RunningProvider;
  let modelPath: string;

  before(async () => {
    coord = await startCoordinator({ env: { DARKBLOOM_MAX_BODY_BYTES: String(MAX_BODY) } });
    modelPath = await ensureTestModel({ preset: "tiny" });
    provider = await startProvider(coord, { modelPath, modelId: MODEL });
  });
  after(async () => {
    await provider?.stop();
    await stopAndAuditLedger(coord);
  });

  for (const mode of ["coordinator-sealed", "e2e"] as const) {
    // One privateFetch serves both clients: the openai client's baseURL is …/v1, Anthropic's the root.
    const sealing = () => (mode === "e2e" ? { fetch: privateFetch({ baseURL: coord.origin, apiKey: coord.apiKey }) } : {});
    const openai = () => new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0, ...sealing() });
    const anthropic = () => new Anthropic({ baseURL: coord.origin, apiKey: coord.apiKey, maxRetries: 0, ...sealing() });

    describe(mode, () => {
      test("completions: non-streaming text_completion with exact usage", async () => {
        const { data, response } = await openai().completions.create({ model: MODEL, prompt: "Once upon a time", max_tokens: 7 }).withResponse();
        assert.equal(response.headers.get("x-darkbloom-privacy"), mode);
        assert.equal(data.object, "text_completion");
        assert.equal(data.model, MODEL);
        assert.ok(data.id.startsWith("cmpl-"));
        assert.equal(data.choices[0]?.finish_reason, "length");
        assert.ok((data.choices[0]?.text ?? "").length > 0);
        assert.equal(data.usage?.completion_tokens, 7);
        assert.equal(data.usage?.total_tokens, (data.usage?.prompt_tokens ?? 0) + 7);
      });

      test("completions: streamed deltas and the usage chunk", async () => {
        const stream = await openai().completions.create({ model: MODEL, prompt: "Tell me", max_tokens: 9, stream: true, stream_options: { include_usage: true } });
        let text = "";
        let finish: string | null = null;
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.text ?? "";
          finish = chunk.choices[0]?.finish_reason ?? finish;
          if (chunk.usage) usage = chunk.usage;
        }
        assert.ok(text.length > 0);
        assert.equal(finish, "length");
        assert.equal(usage?.completion_tokens, 9);
      });

      test("responses: non-streaming response object, store ignored, usage exact", async () => {
        const res = await openai().responses.create({ model: MODEL, instructions: "Be brief.", input: "Say hello", max_output_tokens: 8, store: true });
        assert.equal(res.object, "response");
        assert.equal((res as unknown as { store: boolean }).store, false, "nothing is stored");
        assert.equal(res.status, "incomplete");
        assert.equal(res.incomplete_details?.reason, "max_output_tokens");
        assert.ok(res.output_text.length > 0);
        assert.equal(res.usage?.output_tokens, 8);
        assert.equal(res.usage?.total_tokens, (res.usage?.input_tokens ?? 0) + 8);
        // Nothing to fetch back: no response is kept.
        const got = await fetch(`${coord.baseURL}/responses/${res.id}`, { headers: { authorization: `Bearer ${coord.apiKey}` } });
        assert.equal(got.status, 404);
        const gone = (await got.json()) as { error: { type: string; message: string } };
        assert.equal(gone.error.type, "not_found_error");
        assert.match(gone.error.message, /not stored/);
      });

      test("responses: the streaming events in order, with usage at the end", async () => {
        const stream = await openai().responses.create({
          model: MODEL,
          input: [{ role: "user", content: [{ type: "input_text", text: "Tell me a story" }] }],
          max_output_tokens: 10,
          stream: true,
        });
        const types: string[] = [];
        let text = "";
        let final: OpenAI.Responses.Response | undefined;
        for await (const ev of stream) {
          if (types.at(-1) !== ev.type) types.push(ev.type);
          if (ev.type === "response.output_text.delta") text += ev.delta;
          if (ev.type === "response.completed" || ev.type === "response.incomplete") final = ev.response;
        }
        assert.deepEqual(types, [
          "response.created",
          "response.in_progress",
          "response.output_item.added",
          "response.content_part.added",
          "response.output_text.delta",
          "response.output_text.done",
          "response.content_part.done",
          "response.output_item.done",
          "response.incomplete",
        ]);
        assert.ok(text.length > 0);
        assert.equal(final?.usage?.output_tokens, 10);
        const out = final?.output[0];
        assert.ok(out?.type === "message" && out.content[0]?.type === "output_text" && out.content[0].text === text);
      });

      test("responses: previous_response_id is refused with a clear 400", async () => {
        const err = await openai()
          .responses.create({ model: MODEL, input: "hi", previous_response_id: "resp_123" })
          .then(() => assert.fail("accepted"), (e: unknown) => e);
        assert.ok(err instanceof OpenAI.BadRequestError, String(err));
        assert.equal(err.param, "previous_response_id");
        assert.match(err.message, /stores no responses/);
      });

      test("messages: non-streaming message with exact usage; count_tokens agrees", async () => {
        const body = {
          model: MODEL,
          system: [{ type: "text" as const, text: "You are terse." }],
          messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "Hello there" }] }],
        };
        // Sampling parameters the SDK's types no longer list still travel (and are honoured).
        const params: Anthropic.MessageCreateParamsNonStreaming = { ...body, max_tokens: 9, ...sampling({ top_k: 20, temperature: 0.5 }) };
        const msg = await anthropic().messages.create(params);
        assert.equal(msg.type, "message");
        assert.equal(msg.role, "assistant");
        assert.equal(msg.model, MODEL);
        assert.equal(msg.stop_reason, "max_tokens");
        assert.equal(msg.content[0]?.type, "text");
        assert.equal(msg.usage.output_tokens, 9);
        assert.ok(msg.usage.input_tokens > 0);
        const counted = await anthropic().messages.countTokens(body);
        assert.equal(counted.input_tokens, msg.usage.input_tokens, "count_tokens is exact");
      });

      test("messages: the stream events through the SDK's MessageStream", async () => {
        const stream = anthropic().messages.stream({ model: MODEL, max_tokens: 11, system: "Be brief.", messages: [{ role: "user", content: "Tell me a story" }] });
        const types: string[] = [];
        stream.on("streamEvent", (ev) => {
          if (types.at(-1) !== ev.type) types.push(ev.type);
        });
        const final = await stream.finalMessage();
        assert.deepEqual(types, ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
        assert.equal(final.stop_reason, "max_tokens");
        assert.equal(final.usage.output_tokens, 11);
        assert.ok(final.usage.input_tokens > 0);
        assert.ok(final.content[0]?.type === "text" && final.content[0].text.length > 0);
      });

      test("messages: stop_sequences end the text with stop_reason stop_sequence", async () => {
        const ask = (stop_sequences?: string[]) =>
          anthropic().messages.create({ model: MODEL, max_tokens: 24, messages: [{ role: "user", content: "Say something" }], ...sampling({ temperature: 0 }), ...(stop_sequences && { stop_sequences }) });
        const first = await ask();
        const text = first.content[0]?.type === "text" ? first.content[0].text : "";
        const cut = Math.floor(text.length / 2);
        const stop = text.slice(cut, cut + 3);
        assert.equal(stop.length, 3);
        const stopped = await ask([stop]);
        assert.equal(stopped.stop_reason, "stop_sequence");
        assert.equal(stopped.stop_sequence, stop);
        assert.equal(stopped.content[0]?.type === "text" && stopped.content[0].text, text.slice(0, text.indexOf(stop)));
      });

      test("bad input on every new route is refused in the family's shape", async () => {
        await assert.rejects(openai().completions.create({ model: MODEL, prompt: "x", temperature: "hot" as unknown as number }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === "temperature");
        await assert.rejects(openai().responses.create({ model: MODEL, input: "x", top_p: 7 }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === "top_p");
        const bad = await anthropic()
          .messages.create({ model: MODEL, max_tokens: 4, messages: [{ role: "user", content: "x" }], ...sampling({ temperature: 3 }) })
          .then(() => assert.fail("accepted"), (e: unknown) => e);
        assert.ok(bad instanceof Anthropic.BadRequestError, String(bad));
        assert.equal((bad.error as { type?: string; error?: { type?: string } }).error?.type, "invalid_request_error");
        await assert.rejects(anthropic().messages.countTokens({ model: MODEL, messages: [] }), (e: unknown) => e instanceof Anthropic.BadRequestError);
        await assert.rejects(openai().completions.create({ model: "no-such-model", prompt: "x" }), (e: unknown) => e instanceof OpenAI.NotFoundError);
        await assert.rejects(anthropic().messages.create({ model: "no-such-model", max_tokens: 4, messages: [{ role: "user", content: "x" }] }), (e: unknown) => e instanceof Anthropic.NotFoundError);
      });
    });
  }

  const raw = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${coord.origin}${path}`, { method: "POST", headers: { authorization: `Bearer ${coord.apiKey}`, "content-type": "application/json", ...headers }, body });

  test("malformed JSON, oversized bodies, unknown models and bad keys: OpenAI shape on OpenAI routes", async () => {
    for (const [path, field] of [["/v1/completions", "prompt"], ["/v1/responses", "input"]] as const) {
      const cases: [number, Promise<Response>][] = [
        [400, raw(path, `{"model": "x", "${field}": [`)],
        [400, raw(path, JSON.stringify({ model: MODEL, [field]: 3 }))],
        [404, raw(path, JSON.stringify({ model: "no-such-model", [field]: "x" }))],
        [413, raw(path, JSON.stringify({ model: MODEL, [field]: "x".repeat(MAX_BODY) }))],
        [401, raw(path, "{}", { authorization: `Bearer sk-db-${"0".repeat(64)}` })],
      ];
      for (const [status, pending] of cases) {
        const res = await pending;
        assert.equal(res.status, status, `${path} → ${status}`);
        const body = (await res.json()) as { error?: { message?: string; type?: string } };
        assert.ok(body.error?.message && body.error.type, `${path} ${status}: OpenAI error shape`);
      }
    }
  });

  test("every error on /v1/messages* is Anthropic's {type:'error',error:{type,message}}", async () => {
    const msg = (m: unknown) => JSON.stringify({ model: m, max_tokens: 4, messages: [{ role: "user", content: "x".repeat(8) }] });
    const cases: [string, number, string, Promise<Response>][] = [
      ["/v1/messages", 400, "invalid_request_error", raw("/v1/messages", '{"model": ')],
      ["/v1/messages", 400, "invalid_request_error", raw("/v1/messages", JSON.stringify({ model: MODEL, messages: "hi" }))],
      ["/v1/messages", 404, "not_found_error", raw("/v1/messages", msg("no-such-model"))],
      ["/v1/messages", 413, "request_too_large", raw("/v1/messages", msg("x".repeat(MAX_BODY)))],
      ["/v1/messages", 401, "authentication_error", raw("/v1/messages", msg(MODEL), { authorization: "", "x-api-key": `sk-db-${"0".repeat(64)}` })],
      ["/v1/messages/count_tokens", 400, "invalid_request_error", raw("/v1/messages/count_tokens", JSON.stringify({ model: MODEL }))],
      ["/v1/messages/batches", 404, "not_found_error", raw("/v1/messages/batches", "{}")],
    ];
    for (const [path, status, type, pending] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${path} → ${status}`);
      const body = (await res.json()) as { type?: string; error?: { type?: string; message?: string } };
      assert.equal(body.type, "error", `${path} ${status}`);
      assert.equal(body.error?.type, type, `${path} ${status}`);
      assert.ok(body.error?.message);
    }
  });

  test("402 (no balance) and 429 (key rate limit) come in each family's shape too", async () => {
    const json = { "content-type": "application/json" };
    const signup = await fetch(`${coord.origin}/v1/auth/signup`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: `limits-${process.pid}@example.com`, password: "correct horse battery staple" }),
    });
    assert.equal(signup.status, 201);
    const { token } = (await signup.json()) as { token: string };
    const newKey = async (limits?: Record<string, number>) => {
      const res = await fetch(`${coord.origin}/v1/keys`, {
        method: "POST",
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: "limits", ...(limits && { limits }) }),
      });
      assert.equal(res.status, 201);
      return ((await res.json()) as { key: string }).key;
    };
    const broke = await newKey();
    const messages = JSON.stringify({ model: MODEL, max_tokens: 4, messages: [{ role: "user", content: "hi" }] });
    const poor = await raw("/v1/messages", messages, { authorization: `Bearer ${broke}` });
    assert.equal(poor.status, 402);
    const poorBody = (await poor.json()) as { type: string; error: { type: string } };
    assert.deepEqual([poorBody.type, poorBody.error.type], ["error", "billing_error"]);
    const poorResponses = await raw("/v1/responses", JSON.stringify({ model: MODEL, input: "hi", max_output_tokens: 4 }), { authorization: `Bearer ${broke}` });
    assert.equal(poorResponses.status, 402);
    assert.equal(((await poorResponses.json()) as { error: { code: string } }).error.code, "insufficient_balance");

    // One request a minute: the second is refused before any billing, with Retry-After.
    const limited = await newKey({ requests_per_minute: 1 });
    await raw("/v1/messages", messages, { authorization: `Bearer ${limited}` }).then((r) => r.arrayBuffer());
    const again = await raw("/v1/messages", messages, { authorization: `Bearer ${limited}` });
    assert.equal(again.status, 429);
    assert.ok(Number(again.headers.get("retry-after")) >= 1);
    const againBody = (await again.json()) as { type: string; error: { type: string } };
    assert.deepEqual([againBody.type, againBody.error.type], ["error", "rate_limit_error"]);
  });

  test("x-api-key and anthropic-version are what the Anthropic SDK sends; the key alone authenticates", async () => {
    const res = await fetch(`${coord.origin}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": coord.apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 2, messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { type: string }).type, "message");
  });

  // Last: it kills the provider.
  test("a provider killed mid-stream ends an Anthropic stream with an in-stream error the SDK raises, in both modes", async () => {
    for (const mode of ["coordinator-sealed", "e2e"] as const) {
      if (provider.proc.child.exitCode !== null || provider.proc.child.signalCode !== null) {
        provider = await startProvider(coord, { modelPath, modelId: MODEL });
      }
      const client = new Anthropic({
        baseURL: coord.origin,
        apiKey: coord.apiKey,
        maxRetries: 0,
        ...(mode === "e2e" && { fetch: privateFetch({ baseURL: coord.origin, apiKey: coord.apiKey }) }),
      });
      const stream = await client.messages.create({ model: MODEL, max_tokens: 1500, stream: true, messages: [{ role: "user", content: "Write forever" }] });
      let deltas = 0;
      const consumed = (async () => {
        for await (const ev of stream) {
          if (ev.type === "content_block_delta") deltas++;
          if (deltas === 3) await provider.kill();
        }
      })();
      await assert.rejects(consumed, (err: unknown) => err instanceof Anthropic.APIError, mode);
      assert.ok(deltas >= 3);
    }
  });
});
