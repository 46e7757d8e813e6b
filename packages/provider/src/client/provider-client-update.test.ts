import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { WebSocketServer } from "ws";
import { decodeProviderFrame, generateEncryptionKeyPair, generateIdentityKeyPair, type ProviderFrame, type UpdateModelsFrame } from "@darkbloom/protocol";
import type { HostedEngine } from "../serve/types.js";
import { buildRegisterFrame, describeHardware } from "./register.js";
import { ProviderClient } from "./provider-client.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

const describeModel = (id: string) => ({ id, size_bytes: 1, quantization: "q", context_length: 64, template_render_ok: true });
const capacity = (model: string) => ({
  model, state: "idle" as const, numRunning: 0, numWaiting: 0, maxConcurrency: 1, observedDecodeTps: 0, observedAggregateDecodeTps: 0,
  observedPrefillTps: 0, activeTokenBudgetUsed: 0, activeTokenBudgetMax: 64, queuedTokenBudget: 0, queueLimit: 1, sequenceTokens: 64,
});
/** Heartbeats read its capacity; no request is served in this test. */
const engine = (id: string) => ({ modelId: id, describe: () => describeModel(id), capacity: () => capacity(id) }) as unknown as HostedEngine;

/**
 * A coordinator stand-in: registers the provider, then answers update_models by `decide` (or not
 * at all when it returns undefined). Counts registrations, so a reconnect would show.
 */
async function fakeCoordinator(decide: (f: UpdateModelsFrame) => { accepted: boolean; reason?: string } | undefined) {
  const seen: ProviderFrame[] = [];
  let registrations = 0;
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  server.on("upgrade", (req, s, head) =>
    wss.handleUpgrade(req, s, head, (ws) => {
      ws.on("message", (d) => {
        const f = decodeProviderFrame((d as Buffer).toString("utf8"));
        seen.push(f);
        if (f.type === "register") {
          registrations++;
          ws.send(JSON.stringify({ type: "registered", provider_id: "prv_u", protocol_version: 2, heartbeat_interval_ms: 60_000, trust_level: "self_signed" }));
        } else if (f.type === "update_models") {
          const d = decide(f);
          if (d) ws.send(JSON.stringify({ type: "models_updated", accepted: d.accepted, models: d.accepted ? f.models.map((m) => m.id) : ["old"], ...(d.reason && { reason: d.reason }) }));
        }
      });
    }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(async () => {
    for (const c of wss.clients) c.terminate();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const identity = await generateIdentityKeyPair();
  const keyPair = await generateEncryptionKeyPair();
  const client = new ProviderClient({
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/provider`,
    engines: new Map([["old", engine("old")]]),
    keyPair,
    identitySecret: identity.secretKey,
    register: () => buildRegisterFrame(identity, keyPair, [describeModel("old")], describeHardware("cpu")),
    log: () => undefined,
  });
  cleanups.unshift(() => client.stop());
  client.start();
  await client.registered;
  const update = async (id: string, timeoutMs?: number) => {
    const frame = await buildRegisterFrame(identity, keyPair, [describeModel(id)], describeHardware("cpu"));
    return client.updateModels({ attestation: frame.attestation, models: frame.models }, new Map([[id, engine(id)]]), timeoutMs);
  };
  return { client, seen, update, registrations: () => registrations, kid: keyPair.kid };
}

test("updateModels: accepted → serves only the new engine, on the same connection, with an attestation of the same key", async () => {
  const f = await fakeCoordinator(() => ({ accepted: true }));
  assert.deepEqual(await f.update("new"), { accepted: true, models: ["new"] });
  assert.deepEqual([...f.client.servedModels.keys()], ["new"]);
  const sent = f.seen.find((x): x is UpdateModelsFrame => x.type === "update_models")!;
  assert.equal(sent.attestation.kid, f.kid);
  assert.deepEqual(sent.attestation.models, [{ id: "new" }]);
  assert.equal(f.registrations(), 1);
  assert.equal(f.client.linkState, "connected");
});

test("updateModels: refused → the old engine stays, with the coordinator's reason", async () => {
  const f = await fakeCoordinator(() => ({ accepted: false, reason: "attestation did not verify" }));
  assert.deepEqual(await f.update("new"), { accepted: false, reason: "attestation did not verify" });
  assert.deepEqual([...f.client.servedModels.keys()], ["old"]);
  assert.equal(f.registrations(), 1);
});

test("updateModels: no answer within the deadline counts as refused; the old engine stays", async () => {
  const f = await fakeCoordinator(() => undefined);
  const r = await f.update("new", 50);
  assert.equal(r.accepted, false);
  assert.match(!r.accepted ? r.reason : "", /did not answer/);
  assert.deepEqual([...f.client.servedModels.keys()], ["old"]);
});
