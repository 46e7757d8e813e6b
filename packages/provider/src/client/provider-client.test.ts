import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { after, describe, it } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import {
  CLOSE_BAD_ACCOUNT_TOKEN,
  CLOSE_UNSUPPORTED_VERSION,
  decodeProviderFrame,
  encodeBase64,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  verifyChallengeSignature,
  type ProviderFrame,
} from "@darkbloom/protocol";
import { buildRegisterFrame, describeHardware } from "./register.js";
import { ProviderClient } from "./provider-client.js";

/** A stand-in coordinator: `onUpgrade` answers each upgrade with a status, or accepts it. */
async function fakeCoordinator(onUpgrade: (req: IncomingMessage, n: number) => number | ((ws: WebSocket) => void)) {
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer();
  let upgrades = 0;
  server.on("upgrade", (req, socket: Duplex, head) => {
    const answer = onUpgrade(req, ++upgrades);
    if (typeof answer === "number") {
      const body = JSON.stringify({ error: { message: `status ${answer} from the fake`, code: "x" } });
      socket.end(`HTTP/1.1 ${answer} Refused\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, answer);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/provider`;
  const close = async () => {
    for (const c of wss.clients) c.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, close, upgrades: () => upgrades };
}

const frames = (ws: WebSocket, on: (f: ProviderFrame) => void) => ws.on("message", (d) => on(decodeProviderFrame((d as Buffer).toString("utf8"))));

async function client(url: string, token?: string) {
  const identity = await generateIdentityKeyPair();
  const keyPair = await generateEncryptionKeyPair();
  const events: string[] = [];
  const c = new ProviderClient({
    url,
    engines: new Map(),
    keyPair,
    identitySecret: identity.secretKey,
    ...(token !== undefined && { token }),
    register: () => buildRegisterFrame(identity, keyPair, [{ id: "m", size_bytes: 1, quantization: "q", context_length: 64, template_render_ok: true }], describeHardware("cpu")),
    log: (event) => void events.push(event),
    reconnectDelayMs: () => 0,
  });
  return { c, identity, keyPair, events };
}

const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of stops) await s();
});

describe("ProviderClient registration", () => {
  it("sends the enrollment token and answers the challenge with its identity key", async () => {
    let auth: string | undefined;
    let verified = false;
    const coord = await fakeCoordinator((req) => {
      auth = req.headers.authorization;
      return (ws) =>
        frames(ws, (f) => {
          if (f.type === "register") ws.send(JSON.stringify({ type: "attestation_challenge", nonce: encodeBase64(new Uint8Array(32).fill(9)), timestamp: 42 }));
          if (f.type === "attestation_response") {
            verified = verifyChallengeSignature({ nonce: f.nonce, timestamp: f.timestamp }, encodeBase64(k.keyPair.publicKey), encodeBase64(k.identity.publicKey), f.signature);
            ws.send(JSON.stringify({ type: "registered", provider_id: "prv_x", protocol_version: 2, heartbeat_interval_ms: 60_000, trust_level: "self_signed" }));
          }
        });
    });
    stops.push(coord.close);
    const k = await client(coord.url, "the-token-0123456789");
    stops.push(() => k.c.stop());
    k.c.start();
    assert.equal(await k.c.registered, "prv_x");
    assert.equal(auth, "Bearer the-token-0123456789");
    assert.equal(verified, true);
  });

  it("retries a transient refusal (503) but stops for good on 401, saying what to set", async () => {
    const coord = await fakeCoordinator((_req, n) => (n === 1 ? 503 : 401));
    stops.push(coord.close);
    const k = await client(coord.url, "wrong-token-0123456789");
    k.c.start();
    const refusal = await k.c.refused;
    assert.equal(refusal.status, 401);
    assert.match(refusal.message, /HTTP 401/);
    assert.match(refusal.message, /status 401 from the fake/);
    assert.match(refusal.message, /DARKBLOOM_PROVIDER_TOKEN/);
    assert.equal(coord.upgrades(), 2);
    assert.deepEqual(k.events.filter((e) => e === "upgrade_refused" || e === "refused"), ["upgrade_refused", "refused"]);
  });

  it("stops on an unsupported-version close and reports the coordinator's reason", async () => {
    const reason = "unsupported protocol version 2; this coordinator speaks 3: upgrade the darkbloom provider to a protocol 3 release";
    const coord = await fakeCoordinator(() => (ws) => frames(ws, (f) => f.type === "register" && ws.close(CLOSE_UNSUPPORTED_VERSION, reason)));
    stops.push(coord.close);
    const k = await client(coord.url);
    k.c.start();
    const refusal = await k.c.refused;
    assert.equal(refusal.closeCode, CLOSE_UNSUPPORTED_VERSION);
    assert.ok(refusal.message.includes(reason));
    assert.equal(coord.upgrades(), 1);
    assert.ok(!k.events.includes("disconnected"));
  });

  it("stops when the coordinator refuses its account token (retrying cannot help)", async () => {
    const reason = "account token not accepted: use an active API key of the provider owner's account";
    const coord = await fakeCoordinator(() => (ws) => frames(ws, (f) => f.type === "register" && ws.close(CLOSE_BAD_ACCOUNT_TOKEN, reason)));
    stops.push(coord.close);
    const k = await client(coord.url);
    k.c.start();
    const refusal = await k.c.refused;
    assert.equal(refusal.closeCode, CLOSE_BAD_ACCOUNT_TOKEN);
    assert.ok(refusal.message.includes(reason));
    assert.equal(coord.upgrades(), 1);
  });
});
