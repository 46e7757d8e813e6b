import { request } from "node:http";
import { WebSocket } from "ws";
import {
  PROTOCOL_VERSION,
  decodeCoordinatorFrame,
  encodeBase64,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  signAttestation,
  signChallenge,
  type Attestation,
  type CoordinatorFrame,
  type EncryptionKeyPair,
  type IdentityKeyPair,
  type RegisterFrame,
} from "@darkbloom/protocol";
import { withDeadline } from "./wait.js";
import { TEST_PROVIDER_TOKEN } from "./fake-provider.js";

/**
 * A provider connection driven frame by frame from a test: the tool for attacks (replayed
 * attestations, stale timestamps, old protocol versions, unanswered challenges). Test-only.
 */

const WAIT_MS = 5_000;

export interface ProviderKeys {
  identity: IdentityKeyPair;
  keys: EncryptionKeyPair;
}

export async function newProviderKeys(): Promise<ProviderKeys> {
  return { identity: await generateIdentityKeyPair(), keys: await generateEncryptionKeyPair() };
}

export async function signedAttestation(k: ProviderKeys, models: string[], timestamp = Date.now()): Promise<Attestation> {
  return signAttestation(
    {
      identity_key: encodeBase64(k.identity.publicKey),
      encryption_key: encodeBase64(k.keys.publicKey),
      kid: k.keys.kid,
      provider_version: "scripted",
      models: models.map((id) => ({ id })),
      hardware: {},
      nonce: "n",
      timestamp,
    },
    k.identity.secretKey,
  );
}

export function registerFrame(attestation: Attestation, models = attestation.models.map((m) => m.id), protocolVersion = PROTOCOL_VERSION): RegisterFrame {
  return {
    type: "register",
    protocol_version: protocolVersion,
    provider_version: "scripted",
    attestation,
    hardware: { platform: "linux", arch: "x64", cpu: "c", cores: 1, memory_gb: 1, backend: "cpu" },
    models: models.map((id) => ({ id, size_bytes: 1, quantization: "q", context_length: 4096, template_render_ok: true })),
  };
}

export class ScriptedProvider {
  readonly frames: CoordinatorFrame[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(decodeCoordinatorFrame((data as Buffer).toString("utf8")));
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens /ws/provider with the enrollment token (default TEST_PROVIDER_TOKEN). */
  static async open(baseUrl: string, token: string | null = TEST_PROVIDER_TOKEN): Promise<ScriptedProvider> {
    const ws = new WebSocket(baseUrl.replace(/^http/, "ws") + "/ws/provider", token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      }),
      WAIT_MS,
      "the provider socket to open",
    );
    return new ScriptedProvider(ws);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next coordinator frame of `type` (already received ones count). */
  async next<T extends CoordinatorFrame["type"]>(type: T): Promise<Extract<CoordinatorFrame, { type: T }>> {
    const find = () => this.frames.find((f) => f.type === type) as Extract<CoordinatorFrame, { type: T }> | undefined;
    const wait = (async () => {
      for (let f = find(); ; f = find()) {
        if (f) return f;
        await Promise.race([new Promise<void>((r) => this.waiters.push(r)), this.closed.then(() => Promise.reject(new Error(`closed before ${type}`)))]);
      }
    })();
    return withDeadline(wait, WAIT_MS, `a ${type} frame`);
  }

  /** Answers the pending challenge with `k`'s identity key (or a chosen signature). */
  async answerChallenge(att: Attestation, k: ProviderKeys | { signature: string }): Promise<void> {
    const ch = await this.next("attestation_challenge");
    const challenge = { nonce: ch.nonce, timestamp: ch.timestamp };
    const signature = "signature" in k ? k.signature : signChallenge(challenge, att.encryption_key, k.identity.secretKey);
    this.send({ type: "attestation_response", ...challenge, signature });
  }

  waitClosed(): Promise<{ code: number; reason: string }> {
    return withDeadline(this.closed, WAIT_MS, "the provider socket to close");
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.close();
    return this.closed.then(() => undefined);
  }
}

/** Sends a raw upgrade request and returns the HTTP status and body the server answered with. */
export function upgradeStatus(baseUrl: string, authorization?: string): Promise<{ status: number; body: string }> {
  const url = new URL("/ws/provider", baseUrl);
  const headers: Record<string, string> = {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
  };
  if (authorization !== undefined) headers.authorization = authorization;
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { headers });
    req.once("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: "" });
    });
    req.once("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.once("error", reject);
    req.end();
  });
  return withDeadline(done, WAIT_MS, "the upgrade response");
}
