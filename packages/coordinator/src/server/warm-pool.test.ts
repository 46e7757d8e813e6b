import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { waitUntil } from "../test-support/wait.js";
import { ScriptedProvider, newProviderKeys, registerFrame, signedAttestation } from "../test-support/scripted-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * The warm pool over a real provider socket: load_model / unload_model go out on the control lane,
 * load_model_status comes back through the type-first decoder (a malformed one closes the socket
 * like any bad frame), and the operator sees the answer.
 */
const KEY = generateApiKey();
const ADMIN = "admin-token-0123456789abcdef";
let coord: RunningCoordinator;

before(async () => {
  coord = await startCoordinator({
    port: 0,
    databaseUrl: "sqlite::memory:",
    bootstrapApiKey: KEY,
    bootstrapCreditUsd: 10,
    providerToken: TEST_PROVIDER_TOKEN,
    adminToken: ADMIN,
    logLevel: "silent",
    warmPoolTickMs: 0,
  });
});
after(() => coord.close());

const admin = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
const post = (path: string, body: unknown, headers: Record<string, string> = admin) =>
  fetch(`${coord.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
type PoolView = { providers: { id: string; free_for_load_gb: number | null; pending_load: string | null; models: { id: string; load_state: string | null; reason?: string; cooldown_until: number | null }[] }[] };
const view = async (): Promise<PoolView> => (await (await fetch(`${coord.url}/v1/admin/warm-pool`, { headers: admin })).json()) as PoolView;

async function registered(models: string[]) {
  const keys = await newProviderKeys();
  const att = await signedAttestation(keys, models);
  const p = await ScriptedProvider.open(coord.url);
  p.send(registerFrame(att));
  await p.answerChallenge(att, keys);
  const { provider_id } = await p.next("registered");
  return { p, id: provider_id };
}

describe("warm pool over the provider socket", () => {
  it("operator load → load_model; load_model_status failed → visible with its reason and a cooldown; unload → unload_model", async () => {
    const { p, id } = await registered(["m1", "m2"]);
    p.send({ type: "heartbeat", status: "idle", active_models: [], backend_capacity: { slots: [] }, free_for_load_gb: 12.5 });
    await waitUntil("the heartbeat's room to be recorded", async () => (await view()).providers[0]?.free_for_load_gb === 12.5);

    assert.equal((await post(`/v1/admin/providers/${id}/load`, { model: "m2" }, { "content-type": "application/json" })).status, 401);
    const res = await post(`/v1/admin/providers/${id}/load`, { model: "m2" });
    assert.equal(res.status, 202);
    assert.deepEqual(await p.next("load_model"), { type: "load_model", model: "m2" });
    assert.equal((await post(`/v1/admin/providers/${id}/load`, { model: "m1" })).status, 409, "one pending load per provider");
    assert.equal((await post(`/v1/admin/providers/${id}/load`, { model: "nope" })).status, 404);
    assert.equal((await post(`/v1/admin/providers/${id}/load`, { model: "" })).status, 400);

    p.send({ type: "load_model_status", model: "m2", state: "loading" });
    p.send({ type: "load_model_status", model: "m2", state: "failed", reason: "memory gate: 9 GiB > cap 4 GiB", free_for_load_gb: 0 });
    await waitUntil("the failure to be recorded", async () => (await view()).providers[0]?.models.find((m) => m.id === "m2")?.load_state === "failed");
    const m2 = (await view()).providers[0]?.models.find((m) => m.id === "m2");
    assert.equal(m2?.reason, "memory gate: 9 GiB > cap 4 GiB");
    assert.ok((m2?.cooldown_until ?? 0) > Date.now());
    assert.equal((await view()).providers[0]?.pending_load, null);

    assert.equal((await post(`/v1/admin/providers/${id}/unload`, { model: "m1" })).status, 202);
    assert.deepEqual(await p.next("unload_model"), { type: "unload_model", model: "m1" });
    await p.close();
    await waitUntil("the provider to be removed", () => coord.registry.size === 0);
    assert.deepEqual((await view()).providers, []);
  });

  it("a malformed load_model_status closes the connection as a bad frame; the coordinator serves on", async () => {
    const { p } = await registered(["m1"]);
    p.send({ type: "load_model_status", model: "m1", state: "exploded" });
    const closed = await p.closed;
    assert.equal(closed.reason, "bad frame");
    await waitUntil("the provider to be removed", () => coord.registry.size === 0);
    assert.equal((await fetch(`${coord.url}/health`)).status, 200);
  });
});
