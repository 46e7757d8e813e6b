import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ModelCapacityListSchema } from "@darkbloom/protocol";
import { generateApiKey } from "../auth/index.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

const KEY = generateApiKey();
let coord: RunningCoordinator;
const providers: FakeProvider[] = [];

before(async () => {
  coord = await startCoordinator({ port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent", queueDepth: 7 });
  for (const running of [0, 2]) {
    const p = await FakeProvider.connect(coord.url, { models: ["cap"], running, maxConcurrency: 4 });
    providers.push(p);
    await waitUntil("first heartbeat", () => (coord.registry.get(p.id)?.slots.size ?? 0) > 0 || undefined);
  }
});

after(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await coord.close();
});

const get = (key?: string) => fetch(`${coord.url}/v1/models/capacity`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe("GET /v1/models/capacity", () => {
  it("needs a valid API key", async () => {
    assert.equal((await get()).status, 401);
    assert.equal((await get(generateApiKey())).status, 401);
  });

  it("reports each served model in the documented shape, from the registry and admission", async () => {
    const r = await get(KEY);
    assert.equal(r.status, 200);
    const raw = (await r.json()) as { object: string; data: Record<string, unknown>[] };
    const list = ModelCapacityListSchema.strict().parse(raw);
    assert.equal(list.data.length, 1);
    assert.deepEqual(Object.keys(raw.data[0]!).sort(), [
      "active_requests",
      "aggregate_tps",
      "can_accept",
      "cold_providers",
      "estimated_ttft_ms",
      "id",
      "queue_limit",
      "queued_requests",
      "ready",
      "routable_providers",
      "running_providers",
      "token_budget_remaining",
      "token_budget_total",
      "warm_providers",
    ]);
    // Fake heartbeats: slot idle, max_concurrency 4, budget 32,768 unused, decode 10 tok/s, prefill 100 tok/s.
    assert.deepEqual(list.data[0], {
      id: "cap",
      ready: true,
      can_accept: true,
      routable_providers: 2,
      warm_providers: 2,
      running_providers: 0,
      cold_providers: 0,
      active_requests: 2, // the second provider reports 2 running
      queued_requests: 0,
      queue_limit: 7,
      aggregate_tps: 20,
      estimated_ttft_ms: 2560, // 256 prompt tokens at 100 tok/s
      token_budget_remaining: 65_536,
      token_budget_total: 65_536,
    });
  });
});
