import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import type { BudgetBook } from "./budget-book.js";
import type { SlotLoad } from "./budget.js";
import { retryAfterSeconds } from "./retry-after.js";
import type { AdmissionQueue, AdmissionRequest, AdmissionResult, BudgetHold, Grant, Refusal, Waiter } from "./types.js";
import { ServiceTimes, estimatedWaitMs } from "./wait-estimate.js";

export interface AdmissionLimits {
  /** Most requests waiting per model (SPEC: 10). */
  queueDepth: number;
  /** Longest a request waits in the queue (SPEC: 120 s). */
  maxWaitMs: number;
}

export interface AdmissionDeps {
  registry: ProviderRegistry;
  queue: AdmissionQueue;
  budget: BudgetBook;
  clock: Clock;
  limits: AdmissionLimits;
}

/** No provider serves the model any more (it left while the request waited). */
const NO_PROVIDER_RETRY_AFTER_S = 2;

/**
 * Token-budget admission with a per-model FIFO queue. A request is admitted when some eligible
 * provider's slot has room for it (budget-book.ts); the grant holds that room at once, so
 * requests admitted in the same tick never share one free slot. Otherwise it waits, in order,
 * until capacity frees (a request ends, a heartbeat, a provider joins), its wait limit passes
 * (429) or its consumer leaves. A full queue or an expected wait over the limit is refused at
 * once (429 with Retry-After = clamp(depth × 3, 2, 30)).
 */
export class Admission {
  readonly serviceTimes = new ServiceTimes();

  constructor(private readonly deps: AdmissionDeps) {}

  get limits(): AdmissionLimits {
    return this.deps.limits;
  }

  queueDepth(model: string): number {
    return this.deps.queue.depth(model);
  }

  /** Requests waiting across every model (metrics). */
  totalQueued(): number {
    let n = 0;
    for (const model of this.deps.queue.models()) n += this.deps.queue.depth(model);
    return n;
  }

  /** Without side effects: the refusal this request would get right now, if any (before billing). */
  precheck(req: AdmissionRequest): Refusal | undefined {
    const cands = this.candidates(req);
    if (cands.length === 0) return noProvider(req.model);
    const depth = this.deps.queue.depth(req.model);
    if (depth === 0 && cands.some((p) => this.fits(p, req))) return undefined;
    return this.queueRefusal(req, cands, depth);
  }

  /** Admits now, queues, or refuses; `signal` aborts the wait when the consumer leaves. */
  admit(req: AdmissionRequest, signal?: AbortSignal): Promise<AdmissionResult> {
    const { queue, clock, limits } = this.deps;
    const cands = this.candidates(req);
    if (cands.length === 0) return Promise.resolve({ ok: false, refusal: noProvider(req.model) });
    const depth = queue.depth(req.model);
    if (depth === 0) {
      const grant = this.tryGrant(req, 0);
      if (grant) return Promise.resolve({ ok: true, grant });
    }
    const refusal = this.queueRefusal(req, cands, depth);
    if (refusal) return Promise.resolve({ ok: false, refusal });
    if (signal?.aborted) return Promise.resolve({ ok: false, refusal: cancelled() });

    return new Promise<AdmissionResult>((resolve) => {
      const onAbort = (): void => {
        if (queue.remove(req.model, waiter)) waiter.settle({ ok: false, refusal: cancelled() });
        this.drain(req.model);
      };
      const timer = clock.setTimeout(() => {
        const depthNow = queue.depth(req.model);
        if (!queue.remove(req.model, waiter)) return;
        waiter.settle({
          ok: false,
          refusal: {
            status: 429,
            reason: "queue_timeout",
            message: `No capacity for ${req.model} freed up within ${Math.round(limits.maxWaitMs / 1000)} s; retry later.`,
            retryAfterS: retryAfterSeconds(depthNow),
          },
        });
      }, limits.maxWaitMs);
      const waiter: Waiter = {
        request: req,
        enqueuedAt: clock.now(),
        settle: (result) => {
          clock.clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve(result);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (!queue.push(req.model, waiter, limits.queueDepth)) {
        waiter.settle({ ok: false, refusal: queueFull(req.model, queue.depth(req.model)) });
      }
    });
  }

  /** Shutting down: every waiting request is refused (503 + Retry-After) rather than cut. */
  refuseAll(message: string): void {
    const { queue } = this.deps;
    for (const model of [...queue.models()]) {
      for (let w = queue.head(model); w; w = queue.head(model)) {
        if (queue.remove(model, w)) w.settle({ ok: false, refusal: { status: 503, reason: "shutting_down", message, retryAfterS: 2 } });
      }
    }
  }

  /** Relay pick gate: `p` has room for this request now. */
  fits(p: LiveProvider, req: AdmissionRequest): boolean {
    return this.deps.budget.fits(p, req.model, this.deps.budget.tokensFor(p, req.model, req.inputTokensEstimate, req.maxTokens));
  }

  /** Holds room on `p` for a dispatch the relay makes itself (failover, backup). */
  hold(p: LiveProvider, req: AdmissionRequest): BudgetHold {
    return this.deps.budget.hold(p, req.model, this.deps.budget.tokensFor(p, req.model, req.inputTokensEstimate, req.maxTokens));
  }

  /** A dispatch ended (`completed`: it ran to the end, so its duration is a service time). */
  release(hold: BudgetHold, completed: boolean): void {
    const heldMs = this.deps.budget.release(hold);
    if (heldMs !== undefined && completed) this.serviceTimes.observe(hold.model, heldMs);
    this.drain(hold.model);
  }

  /** A heartbeat updated `p`'s slots. */
  onHeartbeat(p: LiveProvider): void {
    this.deps.budget.heartbeat(p);
    for (const model of p.models.keys()) this.drain(model);
  }

  /** `p` joined (or changed its models): its capacity is new. */
  onProviderAdded(p: LiveProvider): void {
    for (const model of p.models.keys()) this.drain(model);
  }

  /** Models with requests waiting. */
  queuedModels(): string[] {
    return [...this.deps.queue.models()];
  }

  /** Every model with waiters (a provider's models changed). */
  drainAll(): void {
    for (const model of [...this.deps.queue.models()]) this.drain(model);
  }

  /** `p` left: its holds go, and waiters for a model nobody serves any more are told so. */
  onProviderGone(p: LiveProvider): void {
    this.deps.budget.forget(p);
    for (const model of p.models.keys()) this.drain(model);
  }

  /** Admits queued requests for `model`, oldest first, while the oldest fits somewhere. */
  drain(model: string): void {
    const { queue, clock } = this.deps;
    for (let w = queue.head(model); w; w = queue.head(model)) {
      if (this.candidates(w.request).length === 0) {
        queue.remove(model, w);
        w.settle({ ok: false, refusal: noProvider(model) });
        continue;
      }
      const grant = this.tryGrant(w.request, clock.now() - w.enqueuedAt);
      if (!grant) return;
      queue.remove(model, w);
      w.settle({ ok: true, grant });
    }
  }

  /** `p`'s slot load for `model` as admission sees it (capacity API). */
  load(p: LiveProvider, model: string): SlotLoad {
    return this.deps.budget.load(p, model);
  }

  /** Requests this coordinator has dispatched for `model` and not yet seen end. */
  active(model: string): number {
    return this.deps.budget.active(model);
  }

  /** Providers eligible for the request (its own gate included). */
  candidates(req: Pick<AdmissionRequest, "model" | "accept">): LiveProvider[] {
    return this.deps.registry.candidates(req.model, req.accept ? { accept: req.accept } : {});
  }

  /** Expected queue wait for one more request, or undefined while unknown. */
  estimatedWaitMs(model: string, cands: readonly LiveProvider[]): number | undefined {
    return estimatedWaitMs(this.deps.queue.depth(model), this.serviceTimes.get(model), slotsOf(cands, model));
  }

  private tryGrant(req: AdmissionRequest, waitedMs: number): Grant | undefined {
    const accept = req.accept;
    const p = this.deps.registry.pick(req.model, {
      accept: (c) => (!accept || accept(c)) && this.fits(c, req),
      inputTokens: req.inputTokensEstimate,
      maxTokens: req.maxTokens,
    });
    if (!p) return undefined;
    return { hold: this.hold(p, req), waitedMs };
  }

  private queueRefusal(req: AdmissionRequest, cands: readonly LiveProvider[], depth: number): Refusal | undefined {
    if (depth >= this.deps.limits.queueDepth) return queueFull(req.model, depth);
    const wait = this.estimatedWaitMs(req.model, cands);
    if (wait !== undefined && wait > this.deps.limits.maxWaitMs) {
      return {
        status: 429,
        reason: "wait_too_long",
        message: `${req.model} is at capacity and the expected wait (${Math.ceil(wait / 1000)} s) exceeds the queue limit; retry later.`,
        retryAfterS: retryAfterSeconds(depth),
      };
    }
    return undefined;
  }
}

/** Sequences that turn over for `model` across `cands` (1 for a provider without a heartbeat yet). */
function slotsOf(cands: readonly LiveProvider[], model: string): number {
  return cands.reduce((n, p) => n + (p.slots.get(model)?.max_concurrency ?? 1), 0);
}

function queueFull(model: string, depth: number): Refusal {
  return {
    status: 429,
    reason: "queue_full",
    message: `${model} is at capacity and its queue is full; retry later.`,
    retryAfterS: retryAfterSeconds(depth),
  };
}

function noProvider(model: string): Refusal {
  return { status: 503, reason: "no_provider", message: `No provider is available for ${model} right now; retry shortly.`, retryAfterS: NO_PROVIDER_RETRY_AFTER_S };
}

function cancelled(): Refusal {
  return { status: 499, reason: "cancelled", message: "The consumer left while waiting for capacity.", retryAfterS: 0 };
}
