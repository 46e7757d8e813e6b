import { WebSocket } from "ws";
import {
  ChatStreamEncoder,
  PROTOCOL_VERSION,
  ResponseHasher,
  signReceipt,
  chatCompletionBody,
  chatUsage,
  createStreamSealer,
  decodeCoordinatorFrame,
  encodeBase64,
  encodeFrame,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  openRequest,
  signAttestation,
  signChallenge,
  utf8Decode,
  utf8Encode,
  type CancelFrame,
  type EncryptionKeyPair,
  type IdentityKeyPair,
  type InferenceRequestFrame,
  type ProviderFrame,
  type TrustStatusFrame,
} from "@darkbloom/protocol";

/**
 * What the fake does with one request, decided from the decrypted prompt:
 * - reply: the canned answer, then inference_complete with `usage`;
 * - die_mid_stream: one delta, then the socket drops;
 * - stall_mid_stream: one delta, then silence (socket open, heartbeats go on);
 * - fail_before_first: a retryable engine_error before any chunk;
 * - fail_with_usage: a non-retryable engine_error before any chunk, claiming `usage`;
 * - hang: accepts and never answers;
 * - flood: many large chunks until cancelled;
 * - count_backwards: the canned stream, its deltas' running token counts going down (n … 1).
 */
export type Behavior =
  | "reply"
  | "die_mid_stream"
  | "stall_mid_stream"
  | "fail_before_first"
  | "fail_with_usage"
  | "hang"
  | "flood"
  | "count_backwards";

export interface FakeProviderOptions {
  models: string[];
  /** Canned reply pieces; each becomes one OpenAI delta. */
  pieces?: string[];
  usage?: { prompt_tokens: number; completion_tokens: number };
  behavior?: (prompt: string) => Behavior;
  /** "flood": this many chunks of `floodBytes` each (default 400 × 64 KiB). */
  floodChunks?: number;
  floodBytes?: number;
  /** Slot load to report (num_running) in the first heartbeat. */
  running?: number;
  /** Slot max_concurrency to advertise (default 4). */
  maxConcurrency?: number;
  /** Enrollment token for the upgrade (default TEST_PROVIDER_TOKEN; null sends none). */
  token?: string | null;
  /** `register.account_token`: links the provider to its owner's account. */
  accountToken?: string;
  /** `register.prices`: the provider's own prices (micro-USD per 1M tokens). */
  prices?: { model: string; input_per_million: number; output_per_million: number }[];
  /** Context length to register for every model (default 4096). */
  contextLength?: number;
  /** Sign a usage receipt (clear and sealed) on inference_complete, as a real provider does (default true). */
  receipts?: boolean;
  /** The Ed25519 identity (default: a fresh one). */
  identity?: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** Reported and attested provider version (default 0.0.0-fake). */
  providerVersion?: string;
  /** The attestation's package_hash (default none). */
  packageHash?: string;
}

/** The enrollment token coordinator tests configure (`providerToken`) and fakes send by default. */
export const TEST_PROVIDER_TOKEN = "test-provider-token-0123456789abcdef";

export const CANNED_PIECES = ["Hello", ", ", "world", "!"];
export const CANNED_USAGE = { prompt_tokens: 12, completion_tokens: 4 };

/**
 * A provider built from the real protocol pieces over a real WebSocket: signed attestation,
 * HPKE-opened requests, sealed OpenAI SSE replies. Test-only.
 */
export class FakeProvider {
  readonly requests: InferenceRequestFrame[] = [];
  readonly cancels: CancelFrame[] = [];
  /** Every trust_status frame received, in order. */
  readonly statuses: TrustStatusFrame[] = [];
  id = "";
  private constructor(
    readonly ws: WebSocket,
    readonly keys: EncryptionKeyPair,
    readonly identity: IdentityKeyPair,
    private readonly opts: FakeProviderOptions,
  ) {}

  get kid(): string {
    return this.keys.kid;
  }

  static async connect(coordinatorUrl: string, opts: FakeProviderOptions): Promise<FakeProvider> {
    const keys = await generateEncryptionKeyPair();
    const identity = opts.identity ?? (await generateIdentityKeyPair());
    const version = opts.providerVersion ?? "0.0.0-fake";
    const attestation = await signAttestation(
      {
        identity_key: encodeBase64(identity.publicKey),
        encryption_key: encodeBase64(keys.publicKey),
        kid: keys.kid,
        provider_version: version,
        ...(opts.packageHash !== undefined && { package_hash: opts.packageHash }),
        models: opts.models.map((id) => ({ id })),
        hardware: { platform: "linux", arch: "x64" },
        nonce: "fake",
        timestamp: Date.now(),
      },
      identity.secretKey,
    );
    const token = opts.token === undefined ? TEST_PROVIDER_TOKEN : opts.token;
    const ws = new WebSocket(coordinatorUrl.replace(/^http/, "ws") + "/ws/provider", token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
    const fake = new FakeProvider(ws, keys, identity, opts);
    await new Promise<void>((resolve, reject) => {
      ws.once("error", reject);
      ws.once("open", () => {
        fake.send({
          type: "register",
          protocol_version: PROTOCOL_VERSION,
          provider_version: version,
          attestation,
          hardware: { platform: "linux", arch: "x64", cpu: "fake", cores: 2, memory_gb: 4, backend: "cpu" },
          models: opts.models.map((id) => ({ id, size_bytes: 1, quantization: "q4", context_length: opts.contextLength ?? 4096, template_render_ok: true })),
          ...(opts.accountToken !== undefined && { account_token: opts.accountToken }),
          ...(opts.prices && { prices: opts.prices }),
        });
      });
      ws.on("message", (data) => {
        const frame = decodeCoordinatorFrame((data as Buffer).toString("utf8"));
        if (frame.type === "attestation_challenge") {
          const challenge = { nonce: frame.nonce, timestamp: frame.timestamp };
          fake.send({ type: "attestation_response", ...challenge, signature: signChallenge(challenge, attestation.encryption_key, identity.secretKey) });
        } else if (frame.type === "registered") {
          fake.id = frame.provider_id;
          fake.heartbeat(opts.running ?? 0);
          resolve();
        } else if (frame.type === "trust_status") fake.statuses.push(frame);
        else if (frame.type === "cancel") fake.onCancel(frame);
        else if (frame.type === "inference_request") void fake.serve(frame);
      });
      ws.once("close", (code, reason) => reject(new Error(`closed before registered: ${code} ${reason.toString()}`)));
    });
    return fake;
  }

  send(frame: ProviderFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(frame));
  }

  heartbeat(running: number): void {
    this.send({
      type: "heartbeat",
      status: "idle",
      active_models: this.opts.models,
      backend_capacity: {
        slots: this.opts.models.map((model) => ({
          model,
          state: "idle" as const,
          num_running: running,
          num_waiting: 0,
          max_concurrency: this.opts.maxConcurrency ?? 4,
          observed_decode_tps: 10,
          observed_prefill_tps: 100,
          active_token_budget_used: 0,
          active_token_budget_max: 32_768,
          queued_token_budget: 0,
        })),
      },
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }

  private onCancel(frame: CancelFrame): void {
    this.cancels.push(frame);
    this.send({ type: "inference_error", request_id: frame.request_id, code: "cancelled", message: "cancelled", retryable: false, usage: { prompt_tokens: 12, completion_tokens: 1 } });
  }

  private async serve(frame: InferenceRequestFrame): Promise<void> {
    this.requests.push(frame);
    const { plaintext, responseKey } = await openRequest(frame.sealed, this.keys);
    const body = JSON.parse(utf8Decode(plaintext)) as { messages: { content: string }[]; stream?: boolean };
    const prompt = body.messages.map((m) => m.content).join("\n");
    const behavior = this.opts.behavior?.(prompt) ?? "reply";
    const rid = frame.request_id;
    this.send({ type: "inference_accepted", request_id: rid });
    if (behavior === "hang") return;
    const usage = this.opts.usage ?? CANNED_USAGE;
    if (behavior === "fail_before_first") {
      this.send({ type: "inference_error", request_id: rid, code: "engine_error", message: "boom", retryable: true });
      return;
    }
    if (behavior === "fail_with_usage") {
      this.send({ type: "inference_error", request_id: rid, code: "internal", message: "boom", retryable: false, usage });
      return;
    }
    const sealer = createStreamSealer(responseKey, this.keys.kid);
    // `tokens`: the running completion-token count, as a real provider sends it (one per delta,
    // the final chunk carrying the reported total).
    let tokens = 0;
    const hasher = new ResponseHasher();
    const chunk = (text: string, final: boolean, count = tokens) => {
      const sealed = sealer.seal(utf8Encode(text), final);
      hasher.add(sealed);
      this.send({ type: "inference_chunk", request_id: rid, tokens: (tokens = count), chunk: sealed });
    };
    const pieces = this.opts.pieces ?? CANNED_PIECES;
    const meta = { id: "chatcmpl-fake", model: frame.model, created: 1_700_000_000 };
    if (behavior === "flood") {
      const filler = `data: ${"x".repeat(this.opts.floodBytes ?? 65_536)}\n\n`;
      const n = this.opts.floodChunks ?? 400;
      for (let i = 0; i < n && this.cancels.every((c) => c.request_id !== rid); i++) {
        chunk(filler, false, tokens + 1);
        if (i % 16 === 15) await new Promise((r) => setImmediate(r));
      }
      return;
    }
    if (frame.stream) {
      const enc = new ChatStreamEncoder({ ...meta, includeUsage: false });
      chunk(enc.start(), false);
      if (behavior === "die_mid_stream" || behavior === "stall_mid_stream") {
        chunk(enc.delta(pieces[0] ?? "x"), false, 1);
        if (behavior === "die_mid_stream") setTimeout(() => this.ws.terminate(), 20);
        return;
      }
      pieces.forEach((p, i) => chunk(enc.delta(p), false, behavior === "count_backwards" ? pieces.length - i : tokens + 1));
      chunk(enc.finish("stop", chatUsage(usage.prompt_tokens, usage.completion_tokens)), true, usage.completion_tokens);
    } else {
      if (behavior === "die_mid_stream") {
        this.ws.terminate();
        return;
      }
      if (behavior === "stall_mid_stream") return;
      chunk(chatCompletionBody(meta, pieces.join(""), "stop", chatUsage(usage.prompt_tokens, usage.completion_tokens)), true, usage.completion_tokens);
    }
    const receipt = signReceipt({ request_id: rid, model: frame.model, ...usage, response_hash: hasher.digest() }, this.identity.secretKey);
    const receipts = this.opts.receipts === false ? {} : { receipt, sealed_receipt: sealer.sealReceipt(utf8Encode(JSON.stringify(receipt))) };
    this.send({ type: "inference_complete", request_id: rid, usage, finish_reason: "stop", ...receipts });
  }
}

/** The exact bytes the fake streams for a request (coordinator-sealed clients receive these). */
export function cannedStream(model: string, pieces = CANNED_PIECES, usage = CANNED_USAGE): string {
  const enc = new ChatStreamEncoder({ id: "chatcmpl-fake", model, created: 1_700_000_000, includeUsage: false });
  return enc.start() + pieces.map((p) => enc.delta(p)).join("") + enc.finish("stop", chatUsage(usage.prompt_tokens, usage.completion_tokens));
}

export function cannedBody(model: string, pieces = CANNED_PIECES, usage = CANNED_USAGE): string {
  return chatCompletionBody({ id: "chatcmpl-fake", model, created: 1_700_000_000 }, pieces.join(""), "stop", chatUsage(usage.prompt_tokens, usage.completion_tokens));
}
