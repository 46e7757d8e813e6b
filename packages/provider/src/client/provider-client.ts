import WebSocket from "ws";
import {
  FrameError,
  MAX_FRAME_BYTES,
  decodeCoordinatorFrame,
  encodeBase64,
  signChallenge,
  type CoordinatorFrame,
  type EncryptionKeyPair,
  type HeartbeatFrame,
  type ProviderFrame,
  type RegisterFrame,
} from "@darkbloom/protocol";
import { handleInferenceRequest } from "../serve/handle-request.js";
import { ReplayGuard } from "../serve/replay-guard.js";
import type { HostedEngine } from "../serve/types.js";
import { reconnectDelayMs } from "./backoff.js";
import { encodeProviderFrame } from "./encode-frame.js";
import { closeRefusal, readRefusalMessage, upgradeRefusal, type Refusal } from "./refusal.js";

export interface ProviderClientOptions {
  url: string;
  engines: ReadonlyMap<string, HostedEngine>;
  keyPair: EncryptionKeyPair;
  /** The Ed25519 identity secret: signs the coordinator's registration challenge. */
  identitySecret: Uint8Array;
  /** Provider enrollment token, sent as `Authorization: Bearer …` on the upgrade. */
  token?: string;
  /** Builds the register frame (fresh attestation nonce and timestamp per connection). */
  register(): Promise<RegisterFrame>;
  log(event: string, fields: Record<string, unknown>): void;
  heartbeatIntervalMs?: number;
  /** Delay before reconnect attempt n (default: exponential backoff with jitter). */
  reconnectDelayMs?: (attempt: number) => number;
}

type Log = ProviderClientOptions["log"];

/**
 * One provider's link to the coordinator: registers (and proves its identity key by signing the
 * coordinator's challenge), heartbeats with slot capacity, serves sealed requests, and reconnects
 * with backoff whenever the socket drops — unless the coordinator refused it for a reason retrying
 * cannot fix (enrollment token, protocol version): then it stops and `refused` resolves.
 */
export class ProviderClient {
  private ws: WebSocket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private readonly inflight = new Map<string, AbortController>();
  /** One per process: the key pair lives as long as the process, and so does what it has served. */
  private readonly replay = new ReplayGuard();
  private registeredResolve: ((providerId: string) => void) | undefined;
  private refusedResolve: ((refusal: Refusal) => void) | undefined;
  /** A refusal read from the current connection's upgrade response, acted on when it closes. */
  private pendingRefusal: Refusal | undefined;
  /** Resolves with the provider id the first time the coordinator accepts registration. */
  readonly registered: Promise<string>;
  /** Resolves when the coordinator refuses this provider for good; the client has stopped. */
  readonly refused: Promise<Refusal>;

  constructor(private readonly opts: ProviderClientOptions) {
    this.registered = new Promise((resolve) => (this.registeredResolve = resolve));
    this.refused = new Promise((resolve) => (this.refusedResolve = resolve));
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    for (const ctl of this.inflight.values()) ctl.abort();
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      ws.close(1001, "provider shutting down");
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000).unref();
    });
  }

  private get log(): Log {
    return this.opts.log;
  }

  private connect(): void {
    const headers = this.opts.token === undefined ? undefined : { authorization: `Bearer ${this.opts.token}` };
    const ws = new WebSocket(this.opts.url, { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, ...(headers && { headers }) });
    this.ws = ws;
    this.pendingRefusal = undefined;
    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      void readRefusalMessage(res).then((message) => {
        this.pendingRefusal = upgradeRefusal(status, message);
        if (!this.pendingRefusal) this.log("upgrade_refused", { status, ...(message && { message }) });
        ws.terminate(); // emits close; onClose decides whether to retry
      });
    });
    ws.on("open", () => {
      this.opts
        .register()
        .then((frame) => this.send(frame))
        .catch((err: Error) => this.log("register_failed", { error: err.message }));
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return this.log("frame_rejected", { reason: "binary frame" });
      this.onFrame(data.toString());
    });
    ws.on("error", (err) => {
      if (!this.pendingRefusal) this.log("socket_error", { error: err.message });
    });
    ws.on("close", (code, reason) => this.onClose(code, reason.toString()));
  }

  private onFrame(text: string): void {
    let frame: CoordinatorFrame;
    try {
      frame = decodeCoordinatorFrame(text);
    } catch (err) {
      this.log("frame_rejected", { reason: err instanceof FrameError ? err.message : "decode failed" });
      return;
    }
    switch (frame.type) {
      case "attestation_challenge": {
        // Proof of possession: only the holder of the identity secret can sign this fresh nonce.
        const challenge = { nonce: frame.nonce, timestamp: frame.timestamp };
        const signature = signChallenge(challenge, encodeBase64(this.opts.keyPair.publicKey), this.opts.identitySecret);
        this.send({ type: "attestation_response", ...challenge, signature });
        return;
      }
      case "registered":
        this.attempt = 0;
        this.log("registered", { provider_id: frame.provider_id, trust_level: frame.trust_level });
        this.startHeartbeat(this.opts.heartbeatIntervalMs ?? frame.heartbeat_interval_ms);
        this.registeredResolve?.(frame.provider_id);
        return;
      case "inference_request": {
        const ctl = new AbortController();
        this.inflight.set(frame.request_id, ctl);
        const ctx = { engines: this.opts.engines, keyPair: this.opts.keyPair, replay: this.replay, send: (f: ProviderFrame) => this.send(f), log: this.log };
        void handleInferenceRequest(ctx, frame, ctl.signal).finally(() => this.inflight.delete(frame.request_id));
        return;
      }
      case "cancel":
        this.inflight.get(frame.request_id)?.abort();
        return;
    }
  }

  private send(frame: ProviderFrame): void {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(encodeProviderFrame(frame));
  }

  private startHeartbeat(intervalMs: number): void {
    clearInterval(this.heartbeat);
    const beat = () => this.send(this.heartbeatFrame());
    beat();
    this.heartbeat = setInterval(beat, intervalMs);
  }

  heartbeatFrame(): HeartbeatFrame {
    const slots = [...this.opts.engines.values()].map((e) => {
      const c = e.capacity();
      return {
        model: c.model,
        state: c.state,
        num_running: c.numRunning,
        num_waiting: c.numWaiting,
        max_concurrency: c.maxConcurrency,
        observed_decode_tps: c.observedDecodeTps,
        observed_prefill_tps: c.observedPrefillTps,
        active_token_budget_used: c.activeTokenBudgetUsed,
        active_token_budget_max: c.activeTokenBudgetMax,
        queued_token_budget: c.queuedTokenBudget,
      };
    });
    const busy = slots.some((s) => s.num_running + s.num_waiting > 0);
    const mem = process.memoryUsage();
    return {
      type: "heartbeat",
      status: busy ? "serving" : "idle",
      active_models: slots.map((s) => s.model),
      system: { memory_used_gb: mem.rss / 2 ** 30 },
      backend_capacity: { slots },
    };
  }

  private onClose(code: number, reason: string): void {
    clearInterval(this.heartbeat);
    // Requests on a dead link can't be delivered: free their sequences at once.
    for (const ctl of this.inflight.values()) ctl.abort();
    this.inflight.clear();
    if (this.stopped) return;
    const refusal = this.pendingRefusal ?? closeRefusal(code, reason);
    if (refusal) {
      this.stopped = true;
      this.log("refused", { ...refusal });
      this.refusedResolve?.(refusal);
      return;
    }
    const delay = (this.opts.reconnectDelayMs ?? reconnectDelayMs)(this.attempt++);
    this.log("disconnected", { code, ...(reason && { reason }), reconnect_in_ms: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
