import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { WebSocket } from "ws";
import { type Attestation, type ModelsUpdatedFrame, type ProviderKeysResponse } from "@darkbloom/protocol";
import { generateApiKey } from "../auth/index.js";
import { TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { waitUntil } from "../test-support/wait.js";
import { ScriptedProvider, newProviderKeys, registerFrame, signedAttestation, type ProviderKeys } from "../test-support/scripted-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * `update_models` (darkbloom switch): a registered provider changes its models on the same
 * connection. Accepted updates are visible everywhere a provider's models are read; refused ones
 * (another key, a stale or forged attestation, models it does not cover) change nothing and keep
 * the connection open.
 */
const KEY = generateApiKey();
const logs: string[] = [];
let coord: RunningCoordinator;
let keys: ProviderKeys;
let p: ScriptedProvider;

before(async () => {
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 10, providerToken: TEST_PROVIDER_TOKEN, logLevel: "debug" },
    { logWrite: (l) => void logs.push(l) },
  );
});
after(() => coord.close());

beforeEach(async () => {
  await p?.close();
  await waitUntil("the previous provider to be removed", () => coord.registry.size === 0);
  keys = await newProviderKeys();
  const att = await signedAttestation(keys, ["old-model"]);
  p = await ScriptedProvider.open(coord.url);
  p.send(registerFrame(att));
  await p.answerChallenge(att, keys);
  await p.next("registered");
});

const auth = { authorization: `Bearer ${KEY}` };
const servedModels = async (): Promise<string[]> => {
  const res = await fetch(`${coord.url}/v1/models`, { headers: auth });
  return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
};
const keysFor = async (model: string): Promise<{ status: number; body?: ProviderKeysResponse }> => {
  const res = await fetch(`${coord.url}/v1/providers/keys?model=${model}`, { headers: auth });
  return res.status === 200 ? { status: 200, body: (await res.json()) as ProviderKeysResponse } : { status: res.status };
};

/** Sends update_models and returns the coordinator's answer to it. */
async function update(att: Attestation, models = att.models.map((m) => m.id)): Promise<ModelsUpdatedFrame> {
  p.frames.length = 0;
  p.send({ type: "update_models", attestation: att, models: registerFrame(att, models).models });
  return p.next("models_updated");
}

async function assertOldModelKept(): Promise<void> {
  assert.equal(p.ws.readyState, WebSocket.OPEN);
  assert.deepEqual(await servedModels(), ["old-model"]);
  assert.equal((await keysFor("new-model")).status, 404);
  assert.equal(coord.registry.pick("old-model")?.kid, keys.keys.kid);
}

describe("update_models", () => {
  it("accepted: /v1/models, /v1/providers/keys and routing move to the new model on the same connection", async () => {
    const id = coord.registry.findByKid(keys.keys.kid)!.id;
    const registrations = logs.filter((l) => l.includes("provider registered")).length;
    const att = await signedAttestation(keys, ["new-model"]);
    assert.deepEqual(await update(att), { type: "models_updated", accepted: true, models: ["new-model"] });

    assert.deepEqual(await servedModels(), ["new-model"]);
    const served = await keysFor("new-model");
    assert.equal(served.status, 200);
    assert.deepEqual(served.body!.keys.map((k) => [k.provider_id, k.kid]), [[id, keys.keys.kid]]);
    assert.deepEqual(served.body!.keys[0]!.attestation, att);
    assert.equal((await keysFor("old-model")).status, 404);
    assert.equal(coord.registry.pick("new-model")?.id, id);
    assert.equal(coord.registry.pick("old-model"), undefined);
    // The removed model is remembered (503, not 404) like a provider that left.
    assert.equal(coord.registry.knowsModel("old-model"), true);
    // Same connection, no new registration.
    assert.equal(p.ws.readyState, WebSocket.OPEN);
    assert.equal(coord.registry.get(id)?.kid, keys.keys.kid);
    assert.equal(logs.filter((l) => l.includes("provider registered")).length, registrations);
  });

  it("refused: an attestation for another encryption key (kid)", async () => {
    const other = await newProviderKeys();
    const att = await signedAttestation({ identity: keys.identity, keys: other.keys }, ["new-model"]);
    const answer = await update(att);
    assert.equal(answer.accepted, false);
    assert.deepEqual(answer.models, ["old-model"]);
    assert.match(answer.reason ?? "", /another encryption key/);
    await assertOldModelKept();
  });

  it("refused: an attestation by another identity key", async () => {
    const other = await newProviderKeys();
    const att = await signedAttestation({ identity: other.identity, keys: keys.keys }, ["new-model"]);
    const answer = await update(att);
    assert.equal(answer.accepted, false);
    assert.match(answer.reason ?? "", /another identity key/);
    await assertOldModelKept();
  });

  it("refused: a stale attestation (a replayed old one)", async () => {
    const att = await signedAttestation(keys, ["new-model"], Date.now() - 10 * 60_000);
    const answer = await update(att);
    assert.equal(answer.accepted, false);
    assert.match(answer.reason ?? "", /timestamp/);
    await assertOldModelKept();
  });

  it("refused: a forged attestation (signature does not verify)", async () => {
    const att = await signedAttestation(keys, ["new-model"]);
    const answer = await update({ ...att, models: [{ id: "other" }] }, ["other"]);
    assert.equal(answer.accepted, false);
    assert.match(answer.reason ?? "", /did not verify/);
    await assertOldModelKept();
  });

  it("refused: models the attestation does not cover; only covered ones are taken", async () => {
    const att = await signedAttestation(keys, ["new-model"]);
    const refused = await update(att, ["unattested"]);
    assert.equal(refused.accepted, false);
    assert.match(refused.reason ?? "", /covered by the attestation/);
    await assertOldModelKept();

    const partial = await update(att, ["new-model", "unattested"]);
    assert.deepEqual(partial, { type: "models_updated", accepted: true, models: ["new-model"] });
    assert.deepEqual(await servedModels(), ["new-model"]);
  });
});
