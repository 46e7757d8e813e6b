import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { WebSocket } from "ws";
import { PROTOCOL_VERSION, decodeCoordinatorFrame, type CoordinatorFrame, type ProviderKeysResponse, type RegisterFrame } from "@darkbloom/protocol";
import {
  ensureTestModel,
  spawnProvider,
  startCoordinator,
  startProvider,
  type RunningCoordinator,
  type RunningProvider,
} from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * Provider registration through real processes: the enrollment token at the upgrade, the proof of
 * possession that a replayed attestation cannot give, and a provider that stops (exit 1, with the
 * reason) when the coordinator refuses its token instead of reconnecting forever.
 */
const MODEL = "registration-model";
const WAIT_MS = 20_000;
let coord: RunningCoordinator;
let provider: RunningProvider;
let modelPath: string;

before(async () => {
  modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator();
  provider = await startProvider(coord, { modelPath, modelId: MODEL });
});

after(async () => {
  await provider?.stop();
  await stopAndAuditLedger(coord);
});

const auth = () => ({ authorization: `Bearer ${coord.apiKey}` });

function deadline<T>(p: Promise<T>, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), WAIT_MS)))]).finally(() => clearTimeout(t));
}

/** The status a bare WebSocket upgrade on /ws/provider gets. */
function upgradeStatus(authorization?: string): Promise<number> {
  return deadline(
    new Promise((resolve, reject) => {
      const req = request(`${coord.origin}/ws/provider`, {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
          ...(authorization && { authorization }),
        },
      });
      req.once("upgrade", (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.once("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once("error", reject);
      req.end();
    }),
    "the upgrade response",
  );
}

async function chatProviderId(): Promise<string | null> {
  const client = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
  const { data, response } = await client.chat.completions
    .create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 3 })
    .withResponse();
  assert.equal(data.usage?.completion_tokens, 3);
  assert.equal(response.headers.get("x-provider-trust-level"), "self_signed");
  return response.headers.get("x-provider-id");
}

describe("provider registration through real processes", () => {
  test("an anonymous WebSocket client gets HTTP 401; the enrollment token gets 101", async () => {
    assert.equal(await upgradeStatus(), 401);
    assert.equal(await upgradeStatus("Bearer wrong-token-0123456789"), 401);
    assert.equal(await upgradeStatus(`Bearer ${coord.providerToken}`), 101);
  });

  test("the real provider proved its identity and reports its real backend", async () => {
    assert.ok(await chatProviderId());
    const registered = coord.proc.output().split("\n").find((l) => l.includes('"provider registered"'));
    assert.ok(registered, "the coordinator logged the registration");
    assert.match(registered, /"trust_level":"self_signed"/);
    assert.match(registered, /"backend":"(cpu|metal|cuda|vulkan)"/);
    assert.ok(!coord.proc.output().includes(coord.providerToken ?? "?"), "the token is never logged");
  });

  test("a token holder replaying the provider's public attestation is refused; the provider keeps serving", async () => {
    const before = await chatProviderId();
    const keys = (await (await fetch(`${coord.baseURL}/providers/keys?model=${MODEL}`, { headers: auth() })).json()) as ProviderKeysResponse;
    const attestation = keys.keys[0]!.attestation;
    const register: RegisterFrame = {
      type: "register",
      protocol_version: PROTOCOL_VERSION,
      provider_version: attestation.provider_version,
      attestation,
      hardware: { platform: "linux", arch: "x64", cpu: "c", cores: 1, memory_gb: 1, backend: "cpu" },
      models: [{ id: MODEL, size_bytes: 1, quantization: "F16", context_length: 2048, template_render_ok: true }],
    };
    const ws = new WebSocket(`ws://127.0.0.1:${coord.port}/ws/provider`, { headers: { authorization: `Bearer ${coord.providerToken}` } });
    const frames: CoordinatorFrame[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("message", (d) => {
      const f = decodeCoordinatorFrame((d as Buffer).toString("utf8"));
      frames.push(f);
      // The impostor cannot sign the nonce: it answers with what it has, a stale signature.
      if (f.type === "attestation_challenge") ws.send(JSON.stringify({ type: "attestation_response", nonce: f.nonce, timestamp: f.timestamp, signature: attestation.signature }));
    });
    await deadline(new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject)), "the impostor's socket");
    ws.send(JSON.stringify(register));
    const { code, reason } = await deadline(closed, "the impostor to be refused");
    assert.equal(code, 1008);
    assert.match(reason, /challenge failed/);
    assert.deepEqual(frames.map((f) => f.type), ["attestation_challenge"]);
    assert.equal(await chatProviderId(), before);
    assert.ok(!provider.proc.output().includes('"event":"disconnected"'), "the honest provider was never replaced");
  });

  test("a provider with a wrong token, or none, exits 1 saying which setting to fix", async () => {
    for (const token of ["wrong-token-0123456789", null]) {
      const proc = await spawnProvider(coord, { modelPath, modelId: `${MODEL}-refused`, token });
      const code = await deadline(proc.exited, "the refused provider to exit");
      assert.equal(code, 1, proc.output());
      assert.match(proc.output(), /darkbloom: the coordinator refused registration \(HTTP 401\).*DARKBLOOM_PROVIDER_TOKEN/);
      assert.ok(!proc.output().includes('"event":"disconnected"'), "no reconnect loop");
    }
    const body = (await (await fetch(`${coord.baseURL}/models`, { headers: auth() })).json()) as { data: { id: string }[] };
    assert.deepEqual(body.data.map((m) => m.id), [MODEL]);
  });
});
