import type { InferenceChunkFrame, InferenceErrorFrame, ProviderFrame } from "@darkbloom/protocol";
import { errorFields, type Logger } from "../log/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import type { ProviderEvents } from "../ws/index.js";
import { FlightTimers, deadlineOutcome, firstChunkDeadlineMs, type DeadlineKind } from "./deadlines.js";
import { advanceTokens, type Flight } from "./flight.js";
import { canFailOver, statusForProviderError } from "./failures.js";
import { completionSample, outcomeOfDeadline, outcomeOfProviderError } from "./health-feed.js";
import type { DispatchPlan, RelayFailure, RelayHandle, RelayObserver } from "./types.js";

export interface RelayDeps {
  registry: ProviderRegistry;
  clock: Clock;
  logger: Logger;
  /** Dispatches per request, the first included. */
  maxAttempts: number;
  /** After a cancel, how long to wait for the provider's usage before settling without it. */
  cancelSettleMs: number;
  /** Once chunks flow, the longest silence before the stream is ended with an error. */
  streamIdleTimeoutMs: number;
  /** Hard limit on a request's whole duration. */
  maxRequestMs: number;
  /** Fixed part of the first-token deadline (default: SPEC's 5 s). */
  firstTokenBaseMs?: number;
}

/** Routes requests to providers and provider frames back to consumers; content stays sealed. */
export class Relay implements ProviderEvents {
  private readonly flights = new Map<string, Flight>();
  private readonly byProvider = new Map<LiveProvider, Set<Flight>>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: RelayDeps) {}

  get inFlight(): number {
    return this.flights.size;
  }

  start(plan: DispatchPlan, observer: RelayObserver): RelayHandle {
    if (this.flights.has(plan.requestId)) throw new Error(`request ${plan.requestId} is already in flight`);
    const f: Flight = {
      plan,
      observer,
      provider: null,
      tried: new Set(),
      attempts: 0,
      started: false,
      phase: "dispatching",
      cancelTimer: undefined,
      lastFailure: undefined,
      timers: new FlightTimers(this.deps.clock, this.deps.streamIdleTimeoutMs, this.deps.maxRequestMs, (kind) => this.onDeadline(f, kind)),
      tokens: 0,
      tokenFault: false,
    };
    this.flights.set(plan.requestId, f);
    void this.dispatch(f);
    return {
      cancel: (reason) => this.cancel(f, reason),
      get provider() {
        return f.provider;
      },
      get attempts() {
        return f.attempts;
      },
    };
  }

  onProviderFrame(p: LiveProvider, frame: ProviderFrame): void {
    if (frame.type === "register" || frame.type === "heartbeat" || frame.type === "attestation_response" || frame.type === "update_models") return;
    const f = this.flights.get(frame.request_id);
    if (!f || f.provider !== p) return; // a request that already moved on, or never existed
    switch (frame.type) {
      case "inference_accepted":
        return;
      case "inference_chunk":
        return this.onChunk(f, p, frame);
      case "inference_complete":
        if (f.phase === "done") return;
        this.finish(f);
        if (f.dispatchedAt !== undefined) {
          this.deps.registry.recordCompletion(p, f.plan.model, completionSample(frame, f.dispatchedAt, f.firstChunkAt, this.deps.clock.now()));
        }
        this.deps.registry.recordOutcome(p, f.plan.model, "success");
        this.notify(f, () => f.observer.onComplete(frame, p));
        return;
      case "inference_error":
        return this.onProviderError(f, p, frame);
    }
  }

  onProviderGone(p: LiveProvider): void {
    const flights = this.byProvider.get(p);
    if (!flights) return;
    this.byProvider.delete(p);
    for (const f of [...flights]) {
      if (f.provider !== p) continue;
      f.provider = null;
      const failure: RelayFailure = {
        status: 502,
        code: "provider_lost",
        message: "The provider serving this request disconnected.",
        usage: null,
        provider: p,
        cancelled: f.phase === "cancelling",
      };
      this.retryOrFail(f, failure, true);
    }
  }

  /** Resolves once no request is in flight (graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.flights.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails every in-flight request (shutdown after the grace period). */
  abortAll(message: string): void {
    for (const f of [...this.flights.values()]) {
      f.provider?.link.send({ type: "cancel", request_id: f.plan.requestId, reason: "coordinator shutting down" }, "control");
      this.fail(f, { status: 503, code: "shutting_down", message, usage: null, provider: f.provider, cancelled: false });
    }
  }

  private async dispatch(f: Flight): Promise<void> {
    const { plan } = f;
    const p = this.deps.registry.pick(plan.model, {
      exclude: f.tried,
      inputTokens: plan.inputTokensEstimate,
      maxTokens: plan.maxTokens,
      ...(plan.accept && { accept: plan.accept }),
    });
    if (!p) {
      return this.fail(
        f,
        f.lastFailure ?? {
          status: 503,
          code: "no_provider",
          message: `No provider is available for model ${plan.model}; retry shortly.`,
          usage: null,
          provider: null,
          cancelled: false,
        },
      );
    }
    f.tried.add(p.id);
    f.attempts++;
    this.attach(f, p);
    if (f.observer.onRouted) this.notify(f, () => f.observer.onRouted!(p));
    let sealed;
    try {
      sealed = await plan.seal(p);
    } catch (err) {
      this.deps.logger.warn("sealing for provider failed", { request_id: plan.requestId, provider_id: p.id, ...errorFields(err) });
      if (f.provider !== p || f.phase !== "dispatching") return;
      this.detach(f);
      f.lastFailure = { status: 502, code: "seal_failed", message: "Could not seal the request for a provider.", usage: null, provider: p, cancelled: false };
      return this.dispatch(f);
    }
    if (f.provider !== p || f.phase !== "dispatching") return; // cancelled or provider lost meanwhile
    const sent = p.link.send(
      {
        type: "inference_request",
        request_id: plan.requestId,
        api: plan.api,
        model: plan.model,
        stream: plan.stream,
        max_tokens: plan.maxTokens,
        input_tokens_estimate: plan.inputTokensEstimate,
        sealed,
      },
      "data",
    );
    if (!sent) {
      this.detach(f);
      return this.dispatch(f);
    }
    f.phase = "running";
    f.dispatchedAt = this.deps.clock.now();
    f.firstChunkAt = undefined;
    const slot = p.slots.get(plan.model);
    f.timers.awaitFirstToken(
      firstChunkDeadlineMs({
        inputTokens: plan.inputTokensEstimate,
        maxTokens: plan.maxTokens,
        stream: plan.stream,
        prefillTps: slot?.observed_prefill_tps,
        decodeTps: slot?.observed_decode_tps,
        ...(this.deps.firstTokenBaseMs !== undefined && { baseMs: this.deps.firstTokenBaseMs }),
      }),
    );
    if (f.observer.onDispatched) this.notify(f, () => f.observer.onDispatched!(p));
  }

  private onChunk(f: Flight, p: LiveProvider, frame: InferenceChunkFrame): void {
    if (f.phase !== "running") return;
    f.timers.sawChunk();
    const first = !f.started;
    f.started = true;
    if (first) f.firstChunkAt = this.deps.clock.now();
    if (frame.tokens !== f.tokens) advanceTokens(f, p, frame.tokens, this.deps.logger);
    const tokens = f.tokens;
    this.notify(f, () => f.observer.onChunk(frame.chunk, p, first, tokens));
  }

  /** A deadline passed: cancel the provider; fail over before the first chunk, else end the request. */
  private onDeadline(f: Flight, kind: DeadlineKind): void {
    if (f.phase === "done") return;
    const p = f.provider;
    if (kind !== "max_duration" && (f.phase !== "running" || !p)) return;
    const d = deadlineOutcome(kind, this.deps.maxRequestMs);
    this.deps.logger.warn(d.log, { request_id: f.plan.requestId, provider_id: p?.id, attempt: f.attempts, tokens: f.tokens });
    p?.link.send({ type: "cancel", request_id: f.plan.requestId, reason: d.cancelReason }, "control");
    const outcome = outcomeOfDeadline(kind);
    if (p && outcome) this.deps.registry.recordOutcome(p, f.plan.model, outcome);
    const failure: RelayFailure = { status: d.status, code: d.code, message: d.message, usage: null, provider: p, cancelled: f.phase === "cancelling" };
    if (!d.failOver) return this.fail(f, failure);
    this.detach(f);
    this.retryOrFail(f, failure, true);
  }

  private onProviderError(f: Flight, p: LiveProvider, frame: InferenceErrorFrame): void {
    this.detach(f);
    const outcome = outcomeOfProviderError(frame.code);
    if (outcome && f.phase !== "cancelling") this.deps.registry.recordOutcome(p, f.plan.model, outcome);
    const mapped = statusForProviderError(frame.code);
    const failure: RelayFailure = {
      ...mapped,
      message: frame.code === "bad_request" ? frame.message.slice(0, 500) : `The provider failed: ${frame.code}.`,
      param: frame.code === "bad_request" ? (frame.param ?? null) : null,
      usage: frame.usage ?? null,
      provider: p,
      cancelled: f.phase === "cancelling",
    };
    this.retryOrFail(f, failure, canFailOver(frame));
  }

  /** Failover only before the first chunk, within the attempt budget, and never after a cancel. */
  private retryOrFail(f: Flight, failure: RelayFailure, retryable: boolean): void {
    const canRetry = retryable && !f.started && f.phase !== "cancelling" && f.phase !== "done" && f.attempts < this.deps.maxAttempts;
    if (!canRetry) return this.fail(f, failure);
    this.deps.logger.info("failing over", { request_id: f.plan.requestId, from: failure.provider?.id, code: failure.code, attempt: f.attempts });
    f.lastFailure = failure;
    f.phase = "dispatching";
    void this.dispatch(f);
  }

  private cancel(f: Flight, reason: string): void {
    if (f.phase === "done" || f.phase === "cancelling") return;
    const p = f.provider;
    const wasRunning = f.phase === "running";
    f.phase = "cancelling";
    f.timers.stopWatching();
    if (!p || !wasRunning) {
      return this.fail(f, { status: 499, code: "cancelled", message: reason, usage: null, provider: p, cancelled: true });
    }
    p.link.send({ type: "cancel", request_id: f.plan.requestId, reason }, "control");
    f.cancelTimer = this.deps.clock.setTimeout(() => {
      f.cancelTimer = undefined;
      this.fail(f, { status: 499, code: "cancelled", message: reason, usage: null, provider: p, cancelled: true });
    }, this.deps.cancelSettleMs);
  }

  private fail(f: Flight, failure: RelayFailure): void {
    if (f.phase === "done") return;
    this.finish(f);
    this.notify(f, () => f.observer.onFailure(failure, f.started));
  }

  private attach(f: Flight, p: LiveProvider): void {
    f.provider = p;
    f.tokens = 0;
    f.tokenFault = false;
    this.deps.registry.acquire(p);
    let set = this.byProvider.get(p);
    if (!set) {
      set = new Set();
      this.byProvider.set(p, set);
    }
    set.add(f);
  }

  private detach(f: Flight): void {
    const p = f.provider;
    if (!p) return;
    f.provider = null;
    this.deps.registry.release(p);
    const set = this.byProvider.get(p);
    if (set) {
      set.delete(f);
      if (set.size === 0) this.byProvider.delete(p);
    }
  }

  private finish(f: Flight): void {
    f.phase = "done";
    f.timers.clear();
    if (f.cancelTimer !== undefined) this.deps.clock.clearTimeout(f.cancelTimer);
    f.cancelTimer = undefined;
    const p = f.provider;
    this.detach(f);
    f.provider = p; // keep for the observer's log fields; no longer counted in flight
    this.flights.delete(f.plan.requestId);
    if (this.flights.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private notify(f: Flight, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error("relay observer threw", { request_id: f.plan.requestId, ...errorFields(err) });
    }
  }
}
