/**
 * Test-only fake coordinator on 127.0.0.1: serves attested keys and answers e2e chat requests the
 * way a provider would (opens the envelope with its own key, seals the reply with the protocol's
 * stream sealer), relayed as sealed SSE. Behaviour is switchable per test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  attestKeys,
  createStreamSealer,
  encodeBase64,
  encodeErrorEvent,
  encodeReceiptEvent,
  encodeSealedEvent,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  openRequest,
  ResponseHasher,
  SealedApiRequestSchema,
  signReceipt,
  utf8Decode,
  utf8Encode,
  type EncryptionKeyPair,
  type IdentityKeyPair,
  type ProviderKey,
  type SealedApiRequest,
} from "@darkbloom/protocol";

/**
 * `inflate`: the provider's receipt (validly signed) claims far more completion tokens than the
 * text holds; `forge-receipt`: signed by another key; `no-receipt`: none is sent.
 */
export type Behaviour = "ok" | "truncate" | "error" | "tamper" | "reorder" | "http-error" | "json" | "inflate" | "forge-receipt" | "no-receipt";

export interface FakeProvider {
  id: string;
  keyPair: EncryptionKeyPair;
  identity: IdentityKeyPair;
  entry: ProviderKey;
}

export interface FakeCoordinator {
  baseURL: string;
  providers: FakeProvider[];
  behaviour: Behaviour;
  /** Raw bodies of every e2e POST, parsed; and the plaintext the provider opened. */
  sealedRequests: { raw: string; body: SealedApiRequest; headers: IncomingMessage["headers"] }[];
  opened: string[];
  keysRequests: number;
  /** Request headers of each keys lookup. */
  keysHeaders: IncomingMessage["headers"][];
  /** Bodies of POST /v1/disputes. */
  disputes: unknown[];
  /** When set, a reply waits for it after its first sealed chunk (to observe chunks arriving one by one). */
  gate?: Promise<void>;
  close(): Promise<void>;
}

export async function makeProvider(id: string, tamper = false, timestamp = Date.now()): Promise<FakeProvider> {
  const keyPair = await generateEncryptionKeyPair();
  const identity = await generateIdentityKeyPair();
  const attestation = await attestKeys(identity, keyPair, {
    provider_version: "0.1.0",
    models: [{ id: "test-model" }],
    hardware: { platform: "test" },
    nonce: "nonce",
    timestamp,
  });
  if (tamper) attestation.provider_version = "9.9.9";
  const entry: ProviderKey = { provider_id: id, kid: keyPair.kid, public_key: encodeBase64(keyPair.publicKey), trust_level: "self_signed", attestation };
  return { id, keyPair, identity, entry };
}

/** The provider's plaintext OpenAI SSE stream for a reply. */
export function sseReply(words: string[]): string[] {
  const events = words.map((w, i) => `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: w }, finish_reason: i === words.length - 1 ? "stop" : null }] })}\n\n`);
  return [...events, "data: [DONE]\n\n"];
}

export const REPLY_WORDS = ["Hello", " from", " the", " sealed", " side", " ✓"];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeCoordinator(providers: FakeProvider[]): Promise<FakeCoordinator> {
  const fake: FakeCoordinator = { baseURL: "", providers, behaviour: "ok", sealedRequests: [], opened: [], keysRequests: 0, keysHeaders: [], disputes: [], close: async () => undefined };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.headers.authorization !== "Bearer sk-db-test") {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "bad key", type: "authentication_error", code: null, param: null } }));
      return;
    }
    if (req.method === "GET" && url.pathname === "/v1/providers/keys") {
      fake.keysRequests++;
      fake.keysHeaders.push(req.headers);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ model: url.searchParams.get("model"), keys: fake.providers.map((p) => p.entry) }));
      return;
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data: [{ id: "test-model" }] }));
      return;
    }
    if (req.method === "POST" && url.pathname === "/v1/disputes") {
      fake.disputes.push(JSON.parse(await readBody(req)));
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ object: "dispute" }));
      return;
    }
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions" || req.headers["x-darkbloom-privacy"] !== "e2e") {
      res.writeHead(404).end();
      return;
    }
    const raw = await readBody(req);
    const body = SealedApiRequestSchema.parse(JSON.parse(raw));
    fake.sealedRequests.push({ raw, body, headers: req.headers });
    if (fake.behaviour === "http-error") {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3" }).end(JSON.stringify({ error: { message: "busy", type: "rate_limit_error", code: null, param: null } }));
      return;
    }
    const provider = fake.providers.find((p) => body.sealed.recipients.some((r) => r.kid === p.keyPair.kid));
    if (!provider) throw new Error("no recipient is one of our providers");
    const { plaintext, responseKey } = await openRequest(body.sealed, provider.keyPair);
    const text = utf8Decode(plaintext);
    fake.opened.push(text);
    const request = JSON.parse(text) as { stream?: boolean; model: string };
    const pieces = request.stream
      ? sseReply(REPLY_WORDS)
      : [JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: REPLY_WORDS.join("") }, finish_reason: "stop" }] })];
    const headers = { "x-request-id": req.headers["x-request-id"] ?? "req-fake", "x-provider-id": provider.id, "x-darkbloom-privacy": "e2e" };
    if (fake.behaviour === "json") {
      res.writeHead(200, { ...headers, "content-type": "application/json" }).end(pieces.join(""));
      return;
    }
    res.writeHead(200, { ...headers, "content-type": "text/event-stream", "cache-control": "no-store" });
    res.write(": connected\n\n");
    const sealer = createStreamSealer(responseKey, provider.keyPair.kid);
    // Non-stream replies are split in two chunks to exercise reassembly.
    const parts = request.stream ? pieces : [pieces[0]!.slice(0, 20), pieces[0]!.slice(20)];
    const chunks = parts.map((p, i) => sealer.seal(utf8Encode(p), i === parts.length - 1));
    if (fake.behaviour === "tamper") chunks[1] = { ...chunks[1]!, ct: chunks[0]!.ct };
    if (fake.behaviour === "reorder") [chunks[0], chunks[1]] = [chunks[1]!, chunks[0]!];
    const hasher = new ResponseHasher();
    for (let i = 0; i < chunks.length; i++) {
      if (fake.behaviour === "error" && i === Math.min(2, chunks.length - 1)) {
        res.end(encodeErrorEvent({ message: "provider crashed mid-stream", type: "api_error", code: "provider_error" }));
        return;
      }
      if (fake.behaviour === "truncate" && i === chunks.length - 1) break;
      if (i === 1 && fake.gate) await fake.gate;
      hasher.add(chunks[i]!);
      const ev = encodeSealedEvent(chunks[i]!);
      // Split each event across two writes to exercise the incremental parser.
      res.write(ev.slice(0, 7));
      await new Promise((r) => setImmediate(r));
      res.write(ev.slice(7));
    }
    if (fake.behaviour !== "no-receipt" && fake.behaviour !== "truncate") {
      const completion = fake.behaviour === "inflate" ? 10_000 : REPLY_WORDS.length;
      const fields = { request_id: "req_fake", model: request.model, prompt_tokens: 9, completion_tokens: completion, response_hash: hasher.digest() };
      const signer = fake.behaviour === "forge-receipt" ? (await generateIdentityKeyPair()).secretKey : provider.identity.secretKey;
      res.write(encodeReceiptEvent(sealer.sealReceipt(utf8Encode(JSON.stringify(signReceipt(fields, signer))))));
    }
    res.end();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.baseURL = `http://127.0.0.1:${port}/v1`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
