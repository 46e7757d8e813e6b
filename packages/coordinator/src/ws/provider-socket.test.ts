import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import {
  PROTOCOL_VERSION,
  encodeBase64,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  signAttestation,
} from "@darkbloom/protocol";
import { startCoordinator, type RunningCoordinator } from "../server/index.js";
import { FakeProvider } from "../test-support/fake-provider.js";

let coord: RunningCoordinator;

before(async () => {
  coord = await startCoordinator({
    port: 0,
    databaseUrl: "sqlite::memory:",
    logLevel: "silent",
    heartbeatIntervalMs: 50,
    providerEvictionMs: 300,
    writeTimeoutMs: 100,
    registerTimeoutMs: 150,
  });
});
after(() => coord.close());

function connect(): Promise<WebSocket> {
  const ws = new WebSocket(coord.url.replace("http", "ws") + "/ws/provider");
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));

async function registerFrame(tamper: boolean) {
  const keys = await generateEncryptionKeyPair();
  const id = await generateIdentityKeyPair();
  const att = await signAttestation(
    {
      identity_key: encodeBase64(id.publicKey),
      encryption_key: encodeBase64(keys.publicKey),
      kid: keys.kid,
      provider_version: "t",
      models: [{ id: "m" }],
      hardware: {},
      nonce: "n",
      timestamp: Date.now(),
    },
    id.secretKey,
  );
  return {
    type: "register",
    protocol_version: PROTOCOL_VERSION,
    provider_version: "t",
    attestation: tamper ? { ...att, provider_version: "forged" } : att,
    hardware: { platform: "linux", arch: "x64", cpu: "c", cores: 1, memory_gb: 1, backend: "cpu" },
    models: [{ id: "m", size_bytes: 1, quantization: "q", context_length: 1, template_render_ok: true }],
  };
}

describe("provider socket", () => {
  it("closes with 1008 on a frame that does not decode", async () => {
    const ws = await connect();
    const done = closed(ws);
    ws.send('{"type":"nonsense"}');
    assert.deepEqual(await done, { code: 1008, reason: "bad frame" });
  });

  it("closes with 1008 when the first frame is not register", async () => {
    const ws = await connect();
    const done = closed(ws);
    ws.send(JSON.stringify({ type: "inference_accepted", request_id: "r" }));
    assert.equal((await done).code, 1008);
  });

  it("rejects an attestation whose signature does not verify", async () => {
    const ws = await connect();
    const done = closed(ws);
    ws.send(JSON.stringify(await registerFrame(true)));
    assert.deepEqual(await done, { code: 1008, reason: "attestation did not verify" });
    assert.equal(coord.registry.size, 0);
  });

  it("closes a connection that never registers", async () => {
    const ws = await connect();
    assert.deepEqual(await closed(ws), { code: 1008, reason: "register timeout" });
  });

  it("refuses other upgrade paths", async () => {
    const ws = new WebSocket(coord.url.replace("http", "ws") + "/ws/other");
    await assert.rejects(new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject)));
  });

  it("evicts a provider that stops sending heartbeats", async () => {
    const p = await FakeProvider.connect(coord.url, { models: ["m"] });
    assert.equal(coord.registry.size, 1);
    const done = closed(p.ws);
    while (coord.registry.size > 0) await new Promise((r) => setTimeout(r, 20));
    await done;
  });
});
