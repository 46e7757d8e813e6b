import WebSocket from "ws";
import {
  FrameError,
  MAX_FRAME_BYTES,
  decodeCoordinatorFrame,
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

export interface ProviderClientOptions {
  url: string;
  engines: ReadonlyMap<string, HostedEngine>;
  keyPair: EncryptionKeyPair;
  /** Builds the register frame (fresh attestation nonce and timestamp per connection). */
  register(): Promise<RegisterFrame>;
  log(event: string, fields: Record<string, unknown>): void;
  heartbeatIntervalMs?: number;
}

type Log = ProviderClientOptions["log"];

/**
 * One provider's link to the coordinator: registers, heartbeats with slot capacity, serves
 * sealed requests, and reconnects with backoff whenever the socket drops.
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
  /** Resolves with the provider id the first time the coordinator accepts registration. */
  readonly registered: Promise<string>;

  constructor(private readonly opts: ProviderClientOptions) {
    this.registered = new Promise((resolve) => (this.registeredResolve = resolve));
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
    const ws = new WebSocket(this.opts.url, { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    this.ws = ws;
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
    ws.on("error", (err) => this.log("socket_error", { error: err.message }));
    ws.on("close", (code) => this.onClose(code));
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

  private onClose(code: number): void {
    clearInterval(this.heartbeat);
    // Requests on a dead link can't be delivered: free their sequences at once.
    for (const ctl of this.inflight.values()) ctl.abort();
    this.inflight.clear();
    if (this.stopped) return;
    const delay = reconnectDelayMs(this.attempt++);
    this.log("disconnected", { code, reconnect_in_ms: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
