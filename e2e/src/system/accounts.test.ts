import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const MODEL = "tiny-chat";

/** A stranger's path: sign up → create a key → use it with the official openai client → revoke it → 401. */
describe("accounts and keys end to end", () => {
  let coord: RunningCoordinator;
  let provider: RunningProvider;

  before(async () => {
    const modelPath = await ensureTestModel({ preset: "tiny" });
    coord = await startCoordinator({ env: { DARKBLOOM_SIGNUP_CREDIT_USD: "1" } });
    provider = await startProvider(coord, { modelPath, modelId: MODEL });
  });

  after(async () => {
    await provider?.stop();
    await stopAndAuditLedger(coord);
  });

  async function call(method: string, path: string, token: string | undefined, body?: unknown) {
    const res = await fetch(`${coord.origin}${path}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  test("sign up, create a key, use it with the openai client, revoke it, next request 401", async () => {
    const signup = await call("POST", "/v1/auth/signup", undefined, { email: "stranger@example.com", password: "a long enough password" });
    assert.equal(signup.status, 201);
    const session = signup.json.token as string;

    const created = await call("POST", "/v1/keys", session, { name: "laptop" });
    assert.equal(created.status, 201);
    const { id, key } = created.json as { id: string; key: string };

    const client = new OpenAI({ baseURL: coord.baseURL, apiKey: key, maxRetries: 0 });
    const done = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Say hello" }], max_tokens: 4 });
    assert.equal(done.object, "chat.completion");
    assert.equal(done.usage?.completion_tokens, 4);

    const account = await call("GET", "/v1/account", session);
    const balance = account.json.balance as Record<string, number>;
    assert.ok(balance.spent_micros! > 0, "the request was paid for");
    assert.equal(balance.held_micros, 0, "nothing left held");
    assert.equal(balance.available_micros! + balance.spent_micros!, 1_000_000);
    const usage = await call("GET", "/v1/usage", session);
    assert.deepEqual(
      (usage.json.data as { api_key_id: string; requests: number }[]).map((r) => [r.api_key_id, r.requests]),
      [[id, 1]],
    );

    assert.equal((await call("DELETE", `/v1/keys/${id}`, session)).status, 200);
    await assert.rejects(
      client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "again" }], max_tokens: 4 }),
      (err: unknown) => err instanceof OpenAI.AuthenticationError && err.status === 401,
    );
  });
});
