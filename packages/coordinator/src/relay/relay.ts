import type { InferenceChunkFrame, InferenceErrorFrame, ProviderFrame } from "@darkbloom/protocol";
import type { Grant } from "../admission/index.js";
import { errorFields, type Logger } from "../log/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import type { ProviderEvents } from "../ws/index.js";
import { Attachments } from "./attachments.js";
import { Speculation } from "./backup.js";
import { FlightTimers, deadlineOutcome, type DeadlineKind } from "./deadlines.js";
import { advanceTokens, newFlight, type Flight } from "./flight.js";
import { canFailOver, failureOfProviderError } from "./failures.js";
import { completionSample, outcomeOfDeadline, outcomeOfProviderError } from "./health-feed.js";
import { firstChunkDeadlineFor, requestFrame } from "./request-frame.js";
import type { BackupPolicy, DispatchBudget, DispatchPlan, RelayFailure, RelayHandle, RelayObserver } from "./types.js";

export interface RelayDeps {
  registry: ProviderRegistry;
  clock: Clock;
  logger: Logger;
  /** Dispatches per request, the first and any backup included. */
  maxAttempts: number;
  /** After a cancel, how long to wait for the provider's usage before settling without it. */
  cancelSettleMs: number;
  /** Once chunks flow, the longest silence before the stream is ended with an error. */
  streamIdleTimeoutMs: number;
  /** Hard limit on a request's whole duration. */
  maxRequestMs: number;
  /** Fixed part of the first-token deadline (default: SPEC's 5 s). */
  firstTokenBaseMs?: number;
  /** Token budget held per dispatch (admission); absent: no budget gate. */
  budget?: DispatchBudget;
  /** Speculative backup dispatch at half the first-token deadline; absent: no backups. */
  backups?: BackupPolicy;
}

/** Routes requests to providers and provider frames back to consumers; content stays sealed. */
export class Relay implements ProviderEvents {
  private readonly flights = new Map<string, Flight>();
  private readonly attachments: Attachments;
  private readonly speculation: Speculation;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: RelayDeps) {
    this.attachments = new Attachments(deps.registry, deps.budget);
    this.speculation = new Speculation({
      registry: deps.registry,
      attachments: this.attachments,
      clock: deps.clock,
      logger: deps.logger,
      maxAttempts: deps.maxAttempts,
      firstTokenBaseMs: deps.firstTokenBaseMs,
      policy: deps.backups,
    });
  }

  get inFlight(): number {
    return this.flights.size;
  }

  /** Starts a request; `grant`: admission's pick (tried first) and the budget it holds there. */
  start(plan: DispatchPlan, observer: RelayObserver, grant?: Grant): RelayHandle {
    if (this.flights.has(plan.requestId)) throw new Error(`request ${plan.requestId} is already in flight`);
    const timers = new FlightTimers(this.deps.clock, this.deps.streamIdleTimeoutMs, this.deps.maxRequestMs, (kind) => this.onDeadline(f, kind));
    const f = newFlight(plan, observer, timers, grant);
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
    if (!("request_id" in frame)) return; // handshake, heartbeat, model updates and loads: the socket layer's

    const f = this.flights.get(frame.request_id);
    if (!f || f.phase === "done") return;
    if (f.provider !== p) {
      // A request that already moved on, one that never existed, or its speculative backup.
      const b = f.backup;
      if (!b || b.provider !== p || frame.type === "inference_accepted") return;
      if (frame.type === "inference_error") {
        const outcome = outcomeOfProviderError(frame.code);
        if (outcome) this.deps.registry.recordOutcome(p, f.plan.model, outcome);
        return this.speculation.drop(f); // its usage is never billed
      }
      if (f.started || f.phase !== "running") return;
      this.speculation.backupWins(f);
    }
    switch (frame.type) {
      case "inference_accepted":
        return;
      case "inference_chunk":
        return this.onChunk(f, p, frame);
      case "inference_complete":
        this.finish(f, true);
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
    for (const f of this.attachments.flightsOn(p)) {
      if (f.backup?.provider === p) {
        this.speculation.drop(f);
        continue;
      }
      if (f.provider !== p) continue;
      const cancelled = f.phase === "cancelling";
      this.detach(f);
      const failure: RelayFailure = { status: 502, code: "provider_lost", message: "The provider serving this request disconnected.", usage: null, provider: p, cancelled };
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
    const granted = this.attachments.claimGrant(f);
    const p = granted?.hold.provider ?? this.attachments.pick(f);
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
    this.attach(f, p, granted?.hold);
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
    if (!p.link.send(requestFrame(plan, sealed), "data")) {
      this.detach(f);
      return this.dispatch(f);
    }
    f.phase = "running";
    f.dispatchedAt = this.deps.clock.now();
    f.firstChunkAt = undefined;
    const deadlineMs = firstChunkDeadlineFor(plan, p, this.deps.firstTokenBaseMs);
    f.timers.awaitFirstToken(deadlineMs);
    this.speculation.arm(f, deadlineMs);
    if (f.observer.onDispatched) this.notify(f, () => f.observer.onDispatched!(p));
  }

  private onChunk(f: Flight, p: LiveProvider, frame: InferenceChunkFrame): void {
    if (f.phase !== "running") return;
    f.timers.sawChunk();
    const first = !f.started;
    f.started = true;
    if (first) {
      f.firstChunkAt = this.deps.clock.now();
      this.speculation.primaryWins(f);
    }
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
    this.retryOrFail(f, failureOfProviderError(frame, p, f.phase === "cancelling"), canFailOver(frame));
  }

  /**
   * The primary failed (already detached). Before the first chunk a running backup takes over;
   * otherwise failover within the attempt budget; never after a cancel or the first chunk.
   */
  private retryOrFail(f: Flight, failure: RelayFailure, retryable: boolean): void {
    const canRetry = retryable && !f.started && f.phase !== "cancelling" && f.phase !== "done";
    if (canRetry && this.speculation.takeOver(f, failure)) return;
    if (!canRetry || f.attempts >= this.deps.maxAttempts) return this.fail(f, failure);
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
    this.speculation.disarm(f);
    this.speculation.drop(f, reason);
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
    this.finish(f, false);
    this.notify(f, () => f.observer.onFailure(failure, f.started));
  }

  private attach(f: Flight, p: LiveProvider, hold?: Grant["hold"]): void {
    f.provider = p;
    f.tokens = 0;
    f.tokenFault = false;
    f.hold = this.attachments.take(f, p, hold);
  }

  private detach(f: Flight, completed = false): void {
    const p = f.provider;
    if (!p) return;
    f.provider = null;
    this.attachments.give(f, p, f.hold, completed);
    f.hold = undefined;
  }

  private finish(f: Flight, completed: boolean): void {
    f.phase = "done";
    f.timers.clear();
    if (f.cancelTimer !== undefined) this.deps.clock.clearTimeout(f.cancelTimer);
    f.cancelTimer = undefined;
    this.speculation.disarm(f);
    this.speculation.drop(f, "request ended");
    if (f.grant) this.attachments.drop(f.grant.hold);
    f.grant = undefined;
    const p = f.provider;
    this.detach(f, completed);
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
