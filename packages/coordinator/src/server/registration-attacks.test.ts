import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { CLOSE_UNSUPPORTED_VERSION, type Attestation, type ProviderKeysResponse } from "@darkbloom/protocol";
import { generateApiKey } from "../auth/index.js";
import { MAX_SLOT_CONCURRENCY } from "../registry/index.js";
import { waitUntil } from "../test-support/wait.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { ScriptedProvider, newProviderKeys, registerFrame, signedAttestation, upgradeStatus } from "../test-support/scripted-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Attacks on provider registration, each performed over the real protocol against a running
 * coordinator; every one of them succeeded before registration required a token and a proof.
 */
const KEY = generateApiKey();
const logs: string[] = [];
let coord: RunningCoordinator;
let honest: FakeProvider;
const extra: FakeProvider[] = [];

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "debug" },
    { logWrite: (l) => void logs.push(l) },
  );
  honest = await FakeProvider.connect(coord.url, { models: ["tiny"] });
});

after(async () => {
  await Promise.all([honest, ...extra].map((p) => p.close()));
  await coord.close();
});

const auth = { authorization: `Bearer ${KEY}` };
const chat = (model: string) =>
  fetch(`${coord.url}/v1/chat/completions`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 4 }),
  });
const listedModels = async () => ((await (await fetch(`${coord.url}/v1/models`, { headers: auth })).json()) as { data: { id: string }[] }).data.map((m) => m.id);
const publicAttestation = async (model: string): Promise<Attestation> => {
  const body = (await (await fetch(`${coord.url}/v1/providers/keys?model=${model}`, { headers: auth })).json()) as ProviderKeysResponse;
  return body.keys[0]!.attestation;
};

describe("provider registration under attack", () => {
  it("an anonymous WebSocket client gets a real HTTP 401, and so does a wrong token", async () => {
    const none = await upgradeStatus(coord.url);
    assert.equal(none.status, 401);
    assert.equal((JSON.parse(none.body) as { error: { code: string } }).error.code, "invalid_provider_token");
    assert.equal((await upgradeStatus(coord.url, "Bearer not-the-token-0123456789")).status, 401);
    assert.equal((await upgradeStatus(coord.url, `Basic ${TEST_PROVIDER_TOKEN}`)).status, 401);
    assert.equal((await upgradeStatus(coord.url, `Bearer ${TEST_PROVIDER_TOKEN}`)).status, 101);
    await assert.rejects(ScriptedProvider.open(coord.url, null), /401/);
    await assert.rejects(FakeProvider.connect(coord.url, { models: ["gpt-4o"], token: null }), /401/);
    assert.ok(!(await listedModels()).includes("gpt-4o"));
  });

  it("replaying an honest provider's public attestation is refused and the honest connection is not replaced", async () => {
    const att = await publicAttestation("tiny");
    assert.equal(att.kid, honest.kid);
    const impostor = await ScriptedProvider.open(coord.url);
    impostor.send(registerFrame(att));
    await impostor.next("attestation_challenge");
    // While the impostor holds a challenge it cannot answer, the honest provider keeps serving.
    assert.equal(honest.ws.readyState, WebSocket.OPEN);
    assert.equal(coord.registry.get(honest.id)?.kid, honest.kid);
    const during = await chat("tiny");
    assert.equal(during.status, 200);
    assert.equal(during.headers.get("x-provider-id"), honest.id);
    await during.text();
    impostor.send({ type: "attestation_response", nonce: "AAAA", timestamp: 1, signature: Buffer.alloc(64).toString("base64") });
    assert.equal((await impostor.waitClosed()).code, 1008);
    assert.equal(honest.ws.readyState, WebSocket.OPEN);
    assert.equal(coord.registry.get(honest.id)?.kid, honest.kid);
    assert.equal(impostor.frames.filter((f) => f.type !== "attestation_challenge").length, 0);
    const afterwards = await chat("tiny");
    assert.equal(afterwards.headers.get("x-provider-id"), honest.id);
    await afterwards.text();
  });

  it("a register whose attestation is stale (timestamp 0) or from the future is refused", async () => {
    for (const timestamp of [0, Date.now() - 6 * 60_000, Date.now() + 6 * 60_000]) {
      const p = await ScriptedProvider.open(coord.url);
      p.send(registerFrame(await signedAttestation(await newProviderKeys(), ["stale"], timestamp)));
      const { code, reason } = await p.waitClosed();
      assert.equal(code, 1008);
      assert.match(reason, /attestation timestamp/);
    }
    assert.ok(!coord.registry.knowsModel("stale"));
  });

  it("a provider speaking protocol 1 (or an undecodable newer one) is told which version to upgrade to", async () => {
    const v1 = await ScriptedProvider.open(coord.url);
    v1.send(registerFrame(await signedAttestation(await newProviderKeys(), ["old"]), ["old"], 1));
    const refused = await v1.waitClosed();
    assert.equal(refused.code, CLOSE_UNSUPPORTED_VERSION);
    assert.match(refused.reason, /unsupported protocol version 1; this coordinator speaks 2: upgrade .* protocol 2 release/);
    const v3 = await ScriptedProvider.open(coord.url);
    v3.send({ type: "register", protocol_version: 3, identity: "shape this version does not know" });
    const newer = await v3.waitClosed();
    assert.equal(newer.code, CLOSE_UNSUPPORTED_VERSION);
    assert.match(newer.reason, /version 3; this coordinator speaks 2/);
  });

  it("a provider advertising max_concurrency 1e6 is capped", async () => {
    const liar = await FakeProvider.connect(coord.url, { models: ["cap"], maxConcurrency: 1_000_000 });
    extra.push(liar);
    await waitUntil("the liar's heartbeat", () => coord.registry.get(liar.id)?.slots.has("cap") === true, 5_000);
    // The fake registers a 4 GB machine: its RAM tier (4) caps it below MAX_SLOT_CONCURRENCY too.
    assert.equal(coord.registry.get(liar.id)!.slots.get("cap")!.max_concurrency, Math.min(MAX_SLOT_CONCURRENCY, 4));
  });

  it("an unproven provider receives no inference_request, for its own model or a shared one", async () => {
    const k = await newProviderKeys();
    const att = await signedAttestation(k, ["solo", "tiny"]);
    const unproven = await ScriptedProvider.open(coord.url);
    unproven.send(registerFrame(att));
    await unproven.next("attestation_challenge");
    assert.equal((await chat("solo")).status, 404); // not even known: never routable
    for (let i = 0; i < 4; i++) {
      const r = await chat("tiny");
      assert.equal(r.headers.get("x-provider-id"), honest.id);
      await r.text();
    }
    assert.deepEqual(unproven.frames.map((f) => f.type), ["attestation_challenge"]);
    assert.ok(!(await listedModels()).includes("solo"));
    await unproven.close();
  });

  it("500 junk model ids from unproven registrations flood nothing, and a real new model still routes", async () => {
    const sockets = await Promise.all(
      Array.from({ length: 63 }, async (_, i) => {
        const junk = Array.from({ length: 8 }, (_, j) => `junk-${i}-${j}`);
        const p = await ScriptedProvider.open(coord.url);
        p.send(registerFrame(await signedAttestation(await newProviderKeys(), junk)));
        await p.next("attestation_challenge");
        return p;
      }),
    );
    await Promise.all(sockets.map((p) => p.close()));
    const tooMany = await ScriptedProvider.open(coord.url);
    const nine = Array.from({ length: 9 }, (_, j) => `many-${j}`);
    tooMany.send(registerFrame(await signedAttestation(await newProviderKeys(), nine)));
    assert.match((await tooMany.waitClosed()).reason, /too many models/);
    const longId = await ScriptedProvider.open(coord.url);
    longId.send(registerFrame(await signedAttestation(await newProviderKeys(), ["x".repeat(200)])));
    assert.match((await longId.waitClosed()).reason, /must be 1 to 128 characters/);

    assert.deepEqual(await listedModels(), ["cap", "tiny"]);
    assert.equal(coord.registry.knowsModel("junk-0-0"), false);
    assert.equal((await chat("junk-0-0")).status, 404);
    const fresh = await FakeProvider.connect(coord.url, { models: ["fresh-model"] });
    extra.push(fresh);
    const r = await chat("fresh-model");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-provider-id"), fresh.id);
    await r.text();
  });

  it("never logs the enrollment token", () => {
    assert.ok(logs.some((l) => l.includes("provider upgrade refused")));
    assert.ok(!logs.some((l) => l.includes(TEST_PROVIDER_TOKEN)));
  });
});

describe("open registration (explicit operator choice)", () => {
  it("admits a provider without a token, still only after the proof, and says so at start", async () => {
    const lines: string[] = [];
    const c = await startCoordinator({ port: 0, databaseUrl: "sqlite::memory:", openRegistration: true, logLevel: "info" }, { logWrite: (l) => void lines.push(l) });
    try {
      assert.ok(lines.some((l) => l.includes('"level":"warn"') && l.includes("open provider registration")));
      const p = await FakeProvider.connect(c.url, { models: ["open-model"], token: null });
      assert.equal(c.registry.get(p.id)?.trustLevel, "self_signed");
      await p.close();
      await waitUntil("the provider to leave", () => c.registry.size === 0, 5_000);
      const unproven = await ScriptedProvider.open(c.url, null);
      unproven.send(registerFrame(await signedAttestation(await newProviderKeys(), ["never"])));
      await unproven.next("attestation_challenge");
      assert.equal(c.registry.size, 0);
      await unproven.close();
    } finally {
      await c.close();
    }
  });
});
