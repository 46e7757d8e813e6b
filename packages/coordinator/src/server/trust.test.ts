import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signChallenge, type ProviderAttestationsResponse, type TrustStatusFrame } from "@darkbloom/protocol";
import { generateApiKey } from "../auth/index.js";
import { apiClient, chatBody } from "../test-support/api-client.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { ScriptedProvider, newProviderKeys, registerFrame, signedAttestation, type ProviderKeys } from "../test-support/scripted-provider.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Periodic challenges through a real coordinator and real sockets, every timer on a ManualClock:
 * a provider that answers with the wrong key is untrusted after 3 failures (told so, listed
 * nowhere, routed nothing) and trusted again after a pass; the min-trust bar and header.
 */
const KEY = generateApiKey();
const MODEL = "trust-model";
const INTERVAL_MS = 300_000;
const clock = new ManualClock();
let coord: RunningCoordinator;
let honest: FakeProvider;
let liar: ScriptedProvider;
let liarKeys: ProviderKeys;
let liarId: string;
const api = apiClient(() => coord.url);

async function attestations(): Promise<ProviderAttestationsResponse> {
  const res = await fetch(`${coord.url}/v1/providers/attestation`);
  assert.equal(res.status, 200);
  return (await res.json()) as ProviderAttestationsResponse;
}

/** Sends the next periodic challenge; the liar answers it (signed by `signer`), the honest fake by itself. */
async function challengeRound(signer: ProviderKeys): Promise<void> {
  liar.frames.length = 0;
  const honestBefore = (await attestations()).data.find((e) => e.provider_id === honest.id)?.last_challenge_at ?? 0;
  clock.advance(INTERVAL_MS);
  const ch = await liar.next("attestation_challenge");
  const challenge = { nonce: ch.nonce, timestamp: ch.timestamp };
  const att = coord.registry.get(liarId)!.attestation;
  liar.send({ type: "attestation_response", ...challenge, signature: signChallenge(challenge, att.encryption_key, signer.identity.secretKey) });
  await waitUntil("the honest provider's answer", async () => ((await attestations()).data.find((e) => e.provider_id === honest.id)?.last_challenge_at ?? 0) > honestBefore);
}

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent", providerEvictionMs: 10 * INTERVAL_MS, writeTimeoutMs: 60_000 },
    { clock },
  );
  honest = await FakeProvider.connect(coord.url, { models: [MODEL] });
  liarKeys = await newProviderKeys();
  const att = await signedAttestation(liarKeys, [MODEL], clock.now());
  liar = await ScriptedProvider.open(coord.url);
  liar.send(registerFrame(att));
  await liar.answerChallenge(att, liarKeys);
  liarId = (await liar.next("registered")).provider_id;
});
after(async () => {
  await liar?.close();
  await honest?.close();
  await coord?.close();
});

describe("periodic challenges and trust levels", () => {
  it("both providers are listed publicly with their attestation and last challenge time", async () => {
    const body = await attestations();
    assert.deepEqual(body.data.map((e) => e.provider_id).sort(), [honest.id, liarId].sort());
    const entry = body.data.find((e) => e.provider_id === liarId)!;
    assert.equal(entry.trust_level, "self_signed");
    assert.equal(entry.provider_version, "scripted");
    assert.deepEqual(entry.models, [MODEL]);
    assert.equal(entry.attestation.kid, liarKeys.keys.kid);
  });

  it("3 challenges answered with the wrong key: untrusted, told why, listed nowhere, routed nothing", async () => {
    const impostor = await newProviderKeys();
    await challengeRound(impostor);
    await challengeRound(impostor);
    assert.equal(coord.registry.get(liarId)?.trustLevel, "self_signed", "two failures are tolerated");
    await challengeRound(impostor);
    const status = await waitUntil("the untrusted trust_status", () => liar.frames.find((f): f is TrustStatusFrame => f.type === "trust_status" && f.trust_level === "none"));
    assert.equal(status.routable, false);
    assert.equal(status.gates[0]?.name, "untrusted");
    assert.match(status.gates[0]?.detail ?? "", /3 attestation challenges failed in a row.*signature does not verify/);
    assert.match(status.reason ?? "", /no request can reach this provider: untrusted/);
    assert.equal(coord.registry.get(liarId)?.trustLevel, "none");

    assert.deepEqual((await attestations()).data.map((e) => e.provider_id), [honest.id]);
    const keys = await api("GET", `/v1/providers/keys?model=${MODEL}`, { token: KEY });
    assert.deepEqual((keys.json.keys as { provider_id: string }[]).map((k) => k.provider_id), [honest.id]);
    liar.frames.length = 0;
    for (let i = 0; i < 4; i++) {
      const res = await api("POST", "/v1/chat/completions", { token: KEY, body: chatBody(MODEL) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-provider-id"), honest.id);
    }
    assert.equal(liar.frames.filter((f) => f.type === "inference_request").length, 0);
  });

  it("a later honest answer restores self_signed and the public listing", async () => {
    liar.frames.length = 0;
    await challengeRound(liarKeys);
    const status = await waitUntil("the restored trust_status", () => liar.frames.find((f): f is TrustStatusFrame => f.type === "trust_status" && f.trust_level === "self_signed"));
    assert.deepEqual({ level: status.trust_level, routable: status.routable, gates: status.gates }, { level: "self_signed", routable: true, gates: [] });
    assert.equal(coord.registry.get(liarId)?.trustLevel, "self_signed");
    assert.deepEqual((await attestations()).data.map((e) => e.provider_id).sort(), [honest.id, liarId].sort());
  });

  it("X-Darkbloom-Min-Trust raises the bar (503 naming the level), never lowers it, and must be a level", async () => {
    const hw = await api("POST", "/v1/chat/completions", { token: KEY, body: chatBody(MODEL), headers: { "x-darkbloom-min-trust": "hardware" } });
    assert.equal(hw.status, 503);
    assert.equal(hw.json.error?.code, "no_trusted_provider");
    assert.match(hw.json.error?.message ?? "", /meets trust level hardware, the request's X-Darkbloom-Min-Trust; 2 provider\(s\)/);
    const keys = await api("GET", `/v1/providers/keys?model=${MODEL}`, { token: KEY, headers: { "x-darkbloom-min-trust": "hardware" } });
    assert.equal(keys.status, 503);
    // "none" cannot lower the operator's self_signed bar: the same two providers, no untrusted one.
    const none = await api("GET", `/v1/providers/keys?model=${MODEL}`, { token: KEY, headers: { "x-darkbloom-min-trust": "none" } });
    assert.equal(none.status, 200);
    assert.equal((none.json.keys as unknown[]).length, 2);
    const bad = await api("POST", "/v1/chat/completions", { token: KEY, body: chatBody(MODEL), headers: { "x-darkbloom-min-trust": "root" } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error?.code, "invalid_min_trust");
  });
});

describe("DARKBLOOM_MIN_TRUST=hardware", () => {
  let strict: RunningCoordinator;
  before(async () => {
    strict = await startCoordinator({ port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent", minTrust: "hardware" });
  });
  after(() => strict?.close());

  it("a self_signed provider registers, is told it is below the bar, and a request gets a 503 naming the level", async () => {
    const keys = await newProviderKeys();
    const att = await signedAttestation(keys, [MODEL]);
    const p = await ScriptedProvider.open(strict.url);
    try {
      p.send(registerFrame(att));
      await p.answerChallenge(att, keys);
      await p.next("registered");
      const status = await p.next("trust_status");
      assert.equal(status.routable, false);
      assert.equal(status.gates[0]?.name, "below_min_trust");
      const res = await apiClient(() => strict.url)("POST", "/v1/chat/completions", { token: KEY, body: chatBody(MODEL) });
      assert.equal(res.status, 503);
      assert.match(res.json.error?.message ?? "", /meets trust level hardware, this coordinator's minimum \(DARKBLOOM_MIN_TRUST\)/);
      assert.deepEqual((await (await fetch(`${strict.url}/v1/providers/attestation`)).json()), { object: "list", data: [] });
    } finally {
      await p.close();
    }
  });
});
