import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import { decodeProviderFrame, generateEncryptionKeyPair, generateIdentityKeyPair, type ProviderFrame } from "@darkbloom/protocol";
import { buildRegisterFrame, describeHardware } from "./register.js";
import { ProviderClient } from "./provider-client.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

/** A schema-valid request; its sealed body is never opened (a draining provider hands it back first). */
const request = (id: string) => ({
  type: "inference_request",
  request_id: id,
  api: "chat.completions",
  model: "m",
  stream: true,
  max_tokens: 8,
  input_tokens_estimate: 4,
  sealed: { v: 2, iat: Date.now(), suite: "x", recipients: [{ kid: "k", enc: "AAAA", key: "AAAA" }], nonce: "AAAA", ciphertext: "AAAA" },
});

test("a draining provider heartbeats 'draining' and hands new requests back (retryable overloaded); counters start at zero", async () => {
  const seen: ProviderFrame[] = [];
  let socket: WebSocket | undefined;
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  server.on("upgrade", (req, s, head) =>
    wss.handleUpgrade(req, s, head, (ws) => {
      socket = ws;
      ws.on("message", (d) => {
        const f = decodeProviderFrame((d as Buffer).toString("utf8"));
        seen.push(f);
        if (f.type === "register") ws.send(JSON.stringify({ type: "registered", provider_id: "prv_d", protocol_version: 2, heartbeat_interval_ms: 60_000, trust_level: "self_signed" }));
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
  const c = new ProviderClient({
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/provider`,
    engines: new Map(),
    keyPair,
    identitySecret: identity.secretKey,
    register: () => buildRegisterFrame(identity, keyPair, [{ id: "m", size_bytes: 1, quantization: "q", context_length: 64, template_render_ok: true }], describeHardware("cpu")),
    log: () => undefined,
  });
  cleanups.unshift(() => c.stop());
  assert.equal(c.linkState, "idle");
  c.start();
  assert.equal(await c.registered, "prv_d");
  assert.equal(c.linkState, "connected");
  assert.equal(c.providerId, "prv_d");
  assert.equal(c.trustLevel, "self_signed");

  // Nothing in flight: the drain is over at once.
  assert.deepEqual(await c.drain(60_000), { finished: 0, unfinished: 0 });
  const waitFrame = async (pred: (f: ProviderFrame) => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!seen.some(pred)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return seen.find(pred)!;
  };
  await waitFrame((f) => f.type === "heartbeat" && f.status === "draining", "a draining heartbeat");
  socket!.send(JSON.stringify(request("req-1")));
  const err = await waitFrame((f) => f.type === "inference_error", "the handed-back request");
  assert.deepEqual(err, { type: "inference_error", request_id: "req-1", code: "overloaded", message: "provider is shutting down", retryable: true });
  assert.equal(c.requestsServed, 0);
  assert.equal(c.inFlight, 0);
  await c.stop();
  assert.equal(c.linkState, "idle");
});
