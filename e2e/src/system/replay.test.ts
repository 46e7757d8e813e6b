import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const MODEL = "tiny-replay";

/**
 * Someone on the path (or the coordinator itself) records a consumer's sealed request and sends it
 * again, hoping the provider answers under the same response keystream. The provider must refuse
 * the replayed envelope.
 */
describe("replayed e2e envelopes", () => {
  let coord: RunningCoordinator;
  let provider: RunningProvider;

  before(async () => {
    coord = await startCoordinator();
    provider = await startProvider(coord, { modelPath: await ensureTestModel({ preset: "tiny" }), modelId: MODEL });
  });
  after(async () => {
    await provider?.stop();
    await stopAndAuditLedger(coord);
  });

  test("the provider refuses a recorded sealed request sent a second time", async () => {
    const recorded: { url: string; init: RequestInit }[] = [];
    const recording: typeof fetch = async (input, init) => {
      if (init?.method === "POST") recorded.push({ url: String(input), init: { ...init } });
      return fetch(input, init);
    };
    const client = new OpenAI({
      baseURL: coord.baseURL,
      apiKey: coord.apiKey,
      maxRetries: 0,
      fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey, fetch: recording }),
    });
    const first = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "secret question" }], max_tokens: 4 });
    assert.equal(first.usage?.completion_tokens, 4);
    assert.equal(recorded.length, 1);

    const replay = await fetch(recorded[0]!.url, recorded[0]!.init);
    const text = await replay.text();
    assert.equal(replay.status, 400, text);
    assert.match(text, /replay/);
    assert.doesNotMatch(text, /data: /, "no sealed stream was produced for the replay");
  });
});
