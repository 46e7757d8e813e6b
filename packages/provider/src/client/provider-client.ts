import WebSocket from "ws";
import {
  FrameError,
  MAX_FRAME_BYTES,
  decodeCoordinatorFrame,
  type CoordinatorFrame,
  type HeartbeatFrame,
  type ProviderFrame,
  type ProviderGate,
  type UpdateModelsFrame,
} from "@darkbloom/protocol";
import { handleInferenceRequest } from "../serve/handle-request.js";
import { ReplayGuard } from "../serve/replay-guard.js";
import type { HostedEngine } from "../serve/types.js";
import { reconnectDelayMs } from "./backoff.js";
import { encodeProviderFrame } from "./encode-frame.js";
import { answerChallenge } from "./challenge-answer.js";
import { buildHeartbeat } from "./heartbeat.js";
import { onModelFrame, type Hosting } from "./model-hosting.js";
import { trustStatusChange } from "./trust-status.js";
import { closeRefusal, readRefusalMessage, upgradeRefusal, type Refusal } from "./refusal.js";
import { MODEL_UPDATE_TIMEOUT_MS, type DrainResult, type LinkState, type ModelUpdateResult, type ProviderClientOptions } from "./types.js";

export { MODEL_UPDATE_TIMEOUT_MS, type DrainResult, type LinkState, type ModelUpdateResult, type ProviderClientOptions } from "./types.js";

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
  private engines: ReadonlyMap<string, HostedEngine>;
  private hosting: Hosting | undefined;
  private draining = false;
  private drainWaiters: (() => void)[] = [];
  /** Woken whenever a request finishes (settle). */
  private settleWaiters: (() => void)[] = [];
  /** For `darkbloom status`. */
  linkState: LinkState = "idle";
  providerId: string | undefined;
  trustLevel: string | undefined;
  /** What keeps this provider (or some of its models) from traffic, per the last `trust_status`. */
  gates: readonly ProviderGate[] = [];
  routable = true;
  requestsServed = 0;
  tokensGenerated = 0;
  /** One per process: the key pair lives as long as the process, and so does what it has served. */
  private readonly replay = new ReplayGuard();
  /** The pending `updateModels` answer, if any. */
  private updateWaiter: ((result: ModelUpdateResult) => void) | undefined;
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
    this.engines = opts.engines;
    this.setHosting(opts.hosting);
  }

  /** Serves (and reports load_model_status for) this host's models from now on. */
  setHosting(hosting: Hosting | undefined): void {
    this.hosting?.setStatusSink(undefined);
    this.hosting = hosting;
    hosting?.setStatusSink((f) => this.send(f));
  }

  start(): void {
    this.stopped = false;
    this.draining = false;
    this.connect();
  }

  get servedModels(): ReadonlyMap<string, HostedEngine> {
    return this.engines;
  }

  /** Serves these engines from the next connection on (the register frame must match them). */
  replaceEngines(engines: ReadonlyMap<string, HostedEngine>): void {
    this.engines = engines;
  }

  /**
   * Changes the served models on the current connection (`update_models`), without reconnecting.
   * While the coordinator decides, both the old and the new engines serve (a request routed by
   * either set finds its engine); on acceptance only `engines` serve from then on, on a refusal
   * (or no answer within `timeoutMs`, or the link dropping) the old ones stay. Requests already
   * running keep the engine they started on.
   */
  async updateModels(update: Omit<UpdateModelsFrame, "type">, engines: ReadonlyMap<string, HostedEngine>, timeoutMs = MODEL_UPDATE_TIMEOUT_MS): Promise<ModelUpdateResult> {
    if (this.linkState !== "connected") return { accepted: false, reason: `not connected to the coordinator (${this.linkState})` };
    if (this.updateWaiter) return { accepted: false, reason: "a model update is already in progress" };
    const previous = this.engines;
    this.engines = new Map([...previous, ...engines]);
    const result = await new Promise<ModelUpdateResult>((resolve) => {
      const timer = setTimeout(() => finish({ accepted: false, reason: `the coordinator did not answer within ${timeoutMs} ms` }), timeoutMs);
      const finish = (r: ModelUpdateResult) => {
        clearTimeout(timer);
        this.updateWaiter = undefined;
        resolve(r);
      };
      this.updateWaiter = finish;
      this.send({ type: "update_models", ...update });
    });
    this.engines = result.accepted ? engines : previous;
    this.log(result.accepted ? "models_updated" : "models_update_refused", result.accepted ? { models: result.models } : { reason: result.reason });
    return result;
  }

  /** Resolves when the requests in flight now have finished, or after `graceMs`. */
  async settle(graceMs: number): Promise<void> {
    const pending = new Set(this.inflight.keys());
    if (pending.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, graceMs);
      const check = () => {
        for (const id of pending) if (!this.inflight.has(id)) pending.delete(id);
        if (pending.size === 0) done();
        else this.settleWaiters.push(check);
      };
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.settleWaiters.push(check);
    });
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  /**
   * Stops taking work: heartbeats say "draining" and any new request is handed back at once
   * (retryable `overloaded`, so the coordinator fails it over before its first chunk), while the
   * requests in flight run on. Resolves when they have all finished or after `graceMs`.
   */
  async drain(graceMs: number): Promise<DrainResult> {
    this.draining = true;
    this.send(this.heartbeatFrame());
    const before = this.inflight.size;
    if (before > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const unfinished = this.inflight.size;
    return { finished: before - unfinished, unfinished };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.linkState = "idle";
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
    this.linkState = "connecting";
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
        // Proof of possession (and hardware evidence when configured) with a re-signed attestation,
        // on the socket that asked.
        const ws = this.ws;
        const models = () => [...this.engines.values()].map((e) => e.describe());
        const { attest, ...rest } = this.opts;
        void answerChallenge(frame, { ...rest, ...(attest && { attest: (nonce: string) => attest(nonce, models()) }) }).then((response) => ws === this.ws && this.send(response));
        return;
      }
      case "registered":
        this.attempt = 0;
        this.linkState = "connected";
        this.providerId = frame.provider_id;
        this.trustLevel = frame.trust_level;
        this.log("registered", { provider_id: frame.provider_id, trust_level: frame.trust_level });
        this.startHeartbeat(this.opts.heartbeatIntervalMs ?? frame.heartbeat_interval_ms);
        this.registeredResolve?.(frame.provider_id);
        return;
      case "inference_request": {
        if (this.draining) {
          this.send({ type: "inference_error", request_id: frame.request_id, code: "overloaded", message: "provider is shutting down", retryable: true });
          return;
        }
        const ctl = new AbortController();
        this.inflight.set(frame.request_id, ctl);
        const { keyPair, identitySecret } = this.opts;
        const ctx = { engines: this.engines, ...(this.hosting && { models: this.hosting }), keyPair, identitySecret, replay: this.replay, send: (f: ProviderFrame) => this.send(f), log: this.log };
        void handleInferenceRequest(ctx, frame, ctl.signal).finally(() => {
          this.inflight.delete(frame.request_id);
          if (this.inflight.size === 0) for (const wake of this.drainWaiters.splice(0)) wake();
          for (const wake of this.settleWaiters.splice(0)) wake();
        });
        return;
      }
      case "cancel":
        this.inflight.get(frame.request_id)?.abort();
        return;
      case "trust_status": {
        // Remembered for `darkbloom status`, logged when it changes.
        const change = trustStatusChange(this, frame);
        [this.trustLevel, this.routable, this.gates] = [frame.trust_level, frame.routable, frame.gates];
        if (change) this.log("trust_status", change);
        return;
      }
      case "load_model":
      case "unload_model":
        return onModelFrame(this.hosting, frame, this.draining, (f) => this.send(f), this.log);
      case "models_updated":
        this.updateWaiter?.(frame.accepted ? { accepted: true, models: frame.models } : { accepted: false, reason: frame.reason ?? "refused by the coordinator" });
        return;
    }
  }

  private send(frame: ProviderFrame): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(encodeProviderFrame(frame));
    if (frame.type === "inference_complete") {
      this.requestsServed++;
      this.tokensGenerated += frame.usage.completion_tokens;
    }
  }

  private startHeartbeat(intervalMs: number): void {
    clearInterval(this.heartbeat);
    const beat = () => this.send(this.heartbeatFrame());
    beat();
    this.heartbeat = setInterval(beat, intervalMs);
  }

  heartbeatFrame(): HeartbeatFrame {
    return buildHeartbeat(this.engines.values(), this.draining, this.hosting);
  }

  private onClose(code: number, reason: string): void {
    clearInterval(this.heartbeat);
    // Requests on a dead link can't be delivered: free their sequences at once.
    for (const ctl of this.inflight.values()) ctl.abort();
    this.inflight.clear();
    for (const wake of this.drainWaiters.splice(0)) wake();
    for (const wake of this.settleWaiters.splice(0)) wake();
    this.updateWaiter?.({ accepted: false, reason: "the connection to the coordinator closed" });
    if (this.stopped) {
      this.linkState = "idle";
      return;
    }
    const refusal = this.pendingRefusal ?? closeRefusal(code, reason);
    if (refusal) {
      this.stopped = true;
      this.linkState = "refused";
      this.log("refused", { ...refusal });
      this.refusedResolve?.(refusal);
      return;
    }
    this.linkState = "disconnected";
    const delay = (this.opts.reconnectDelayMs ?? reconnectDelayMs)(this.attempt++);
    this.log("disconnected", { code, ...(reason && { reason }), reconnect_in_ms: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
