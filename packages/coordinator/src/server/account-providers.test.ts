import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { apiClient, chatBody } from "../test-support/api-client.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** GET /v1/account/providers and the trust_status frames: why a connected provider gets no traffic. */
const BOOTSTRAP = generateApiKey();
let coord: RunningCoordinator;
const fakes: FakeProvider[] = [];
const api = apiClient(() => coord.url);

before(async () => {
  coord = await startCoordinator({
    port: 0,
    databaseUrl: "sqlite::memory:",
    bootstrapApiKey: BOOTSTRAP,
    bootstrapCreditUsd: 10,
    providerToken: TEST_PROVIDER_TOKEN,
    logLevel: "silent",
    signupCreditUsd: 1,
  });
});

after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await coord.close();
});

let n = 0;
async function account() {
  const r = await api("POST", "/v1/auth/signup", { body: { email: `owner${n++}@example.com`, password: "correct horse battery" } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const session = r.json.token as string;
  const k = await api("POST", "/v1/keys", { token: session, body: { name: "provider" } });
  assert.equal(k.status, 201);
  return { session, key: k.json.key as string };
}

async function connect(opts: Parameters<typeof FakeProvider.connect>[1]): Promise<FakeProvider> {
  const f = await FakeProvider.connect(coord.url, opts);
  fakes.push(f);
  await waitUntil("first heartbeat", () => (coord.registry.get(f.id)?.slots.size ?? 0) > 0);
  return f;
}

type Listed = { id: string; routable: boolean; trust_level: string; gates: { name: string; model: string | null; until: number | null }[]; models: { id: string; slot: { state: string; max_concurrency: number } | null; decode_tps: number; decode_tps_source: string }[] };
const listed = async (token: string) => {
  const r = await api("GET", "/v1/account/providers", { token });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.object, "list");
  return r.json.data as Listed[];
};

describe("an operator sees which gate keeps their provider from traffic", () => {
  it("lists only the caller's providers, with slot state, speeds and gates; 401 without auth", async () => {
    const a = await account();
    const b = await account();
    const mine = await connect({ models: ["owned-model"], accountToken: a.key });
    const theirs = await connect({ models: ["owned-model"], accountToken: b.key });
    await connect({ models: ["owned-model"] }); // unlinked: nobody's
    const seen = await listed(a.session);
    assert.deepEqual(seen.map((p) => p.id), [mine.id]);
    assert.equal(seen[0]!.routable, true);
    assert.deepEqual(seen[0]!.gates, []);
    assert.equal(seen[0]!.trust_level, "self_signed");
    assert.deepEqual(seen[0]!.models.map((m) => [m.id, m.slot?.state, m.decode_tps, m.decode_tps_source]), [["owned-model", "idle", 10, "reported"]]);
    // The fake registers a 4 GB machine: its RAM tier caps the advertised 4 at 4.
    assert.equal(seen[0]!.models[0]!.slot?.max_concurrency, 4);
    assert.deepEqual((await listed(b.key)).map((p) => p.id), [theirs.id], "an API key of the owner works too");
    assert.equal((await api("GET", "/v1/account/providers")).status, 401);
  });

  it("trust_status follows registered, names the error cooldown after 2 failures, and answers heartbeats while gated", async () => {
    const a = await account();
    const failing = await connect({ models: ["flaky-model"], accountToken: a.key, behavior: () => "fail_before_first" });
    await waitUntil("trust_status after registered", () => failing.statuses.length >= 1);
    assert.deepEqual(failing.statuses[0], { type: "trust_status", trust_level: "self_signed", routable: true, gates: [] });
    for (let i = 0; i < 2; i++) {
      const r = await api("POST", "/v1/chat/completions", { token: BOOTSTRAP, body: chatBody("flaky-model") });
      assert.equal(r.status, 502, JSON.stringify(r.json));
    }
    await waitUntil("trust_status naming the cooldown", () => failing.statuses.some((s) => s.gates.some((g) => g.name === "error_cooldown")));
    const gated = failing.statuses.at(-1)!;
    assert.equal(gated.routable, false);
    const [p] = await listed(a.session);
    assert.equal(p!.routable, false);
    assert.deepEqual(p!.gates.map((g) => g.name), ["error_cooldown"]);
    assert.ok(p!.gates[0]!.until! > Date.now() / 1000 + 250, "lifts in about 5 min");
    // No provider is eligible now: the request is refused at once instead of going there.
    const refused = await api("POST", "/v1/chat/completions", { token: BOOTSTRAP, body: chatBody("flaky-model") });
    assert.equal(refused.status, 503);
    const before = failing.statuses.length;
    failing.heartbeat(0);
    await waitUntil("heartbeat answered with the status", () => failing.statuses.length > before);
    assert.equal(failing.statuses.at(-1)!.gates[0]!.name, "error_cooldown");
  });
});
