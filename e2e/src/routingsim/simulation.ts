import { MemoryRegistry, type LiveProvider, type SelectionStrategy } from "@darkbloom/coordinator";
import { mulberry32 } from "@darkbloom/coordinator/test-support/prng";
import { EventLoop } from "./event-loop.js";
import { ModelQueues, QUEUE_MAX_WAIT_MS } from "./queue.js";
import { NETWORK_MS, SimProvider, type Attempt } from "./sim-provider.js";
import { summarize } from "./summary.js";
import type { SimProviderSpec, SimRequest, SimResult, SimSummary } from "./types.js";

export interface SimOptions {
  strategy: SelectionStrategy;
  fleet: readonly SimProviderSpec[];
  trace: readonly SimRequest[];
  seed: number;
  heartbeatMs?: number;
  /** Dispatches per request, the first included (the coordinator's failover bound). */
  maxAttempts?: number;
}

export interface SimRun {
  summary: SimSummary;
  results: SimResult[];
  /** Picks of a provider that had a gate closed on the model (must stay 0). */
  gatedPicks: number;
}

interface Pending {
  readonly req: SimRequest;
  readonly tried: Set<string>;
  readonly providers: string[];
  attempts: number;
  dispatchedAt: number;
  queued: boolean;
  done: boolean;
}

/**
 * Runs one arrival trace through the REAL registry and selection code (MemoryRegistry with the
 * given strategy: gates, health, EWMA speeds, cost function) on simulated time. Machines are
 * synthetic; admission is the SPEC token-budget rule with a per-model FIFO (10 deep, 120 s).
 */
export function simulate(o: SimOptions): SimRun {
  const loop = new EventLoop(0);
  const failRand = mulberry32(o.seed ^ 0x5bd1e995);
  const registry = new MemoryRegistry(mulberry32(o.seed), loop.now, { strategy: o.strategy });
  const heartbeatMs = o.heartbeatMs ?? 5_000;
  const maxAttempts = o.maxAttempts ?? 3;
  const providers = o.fleet.map((s) => new SimProvider(s));
  const queues = new ModelQueues<Pending>();
  const results: SimResult[] = [];
  const lastArrival = o.trace.reduce((t, r) => Math.max(t, r.at), 0);
  let unresolved = o.trace.length;
  let gatedPicks = 0;

  const resolve = (p: Pending, r: Omit<SimResult, "id" | "attempts" | "providers">) => {
    if (p.done) throw new Error(`request ${p.req.id} resolved twice`);
    p.done = true;
    unresolved--;
    results.push({ id: p.req.id, attempts: p.attempts, providers: p.providers, ...r });
  };

  /** SPEC admission: a free sequence, and pending + this request's tokens within the slot's budget. */
  const hasRoom = (sp: SimProvider, model: string, tokens: number) => (live: LiveProvider) => {
    const slot = live.slots.get(model);
    const maxConcurrency = slot?.max_concurrency ?? 1;
    const budget = slot?.active_token_budget_max ?? sp.spec.contextPerSlot;
    return live.inFlight < maxConcurrency && sp.pendingTokens + tokens <= budget;
  };

  const byId = new Map(providers.map((sp) => [sp.spec.id, sp]));
  /** Which request each live attempt serves (provider loss fails them over). */
  const owners = new Map<Attempt, Pending>();

  const end = (a: Attempt) => {
    a.alive = false;
    owners.delete(a);
    a.provider.running.delete(a);
    a.provider.pendingTokens -= a.tokens;
    a.provider.busySlotMs += loop.now() - a.start;
    registry.release(a.live);
  };

  const retryOrFail = (p: Pending, reason: string) => {
    if (p.attempts >= maxAttempts) return resolve(p, { outcome: "failed", queueMs: p.dispatchedAt - p.req.at, reason });
    p.queued = true;
    queues.unshift(p.req.model, p);
  };

  const tryDispatch = (p: Pending): boolean => {
    const { req } = p;
    const tokens = req.inputTokens + req.maxTokens;
    const live = registry.pick(req.model, {
      exclude: p.tried,
      inputTokens: req.inputTokens,
      maxTokens: req.maxTokens,
      accept: (l) => hasRoom(byId.get(l.id)!, req.model, tokens)(l),
    });
    if (!live) return false;
    if (registry.gatesFor(live).some((g) => g.model === undefined || g.model === req.model)) gatedPicks++;
    const sp = byId.get(live.id)!;
    registry.acquire(live);
    sp.pendingTokens += tokens;
    const a: Attempt = { provider: sp, live, model: req.model, tokens, start: loop.now(), alive: true };
    sp.running.add(a);
    owners.set(a, p);
    p.tried.add(live.id);
    p.providers.push(live.id);
    p.attempts++;
    p.dispatchedAt = loop.now();
    const prefillMs = sp.prefillMs(req.inputTokens, sp.running.size);
    const fails = failRand() < sp.spec.failRate;
    loop.after(NETWORK_MS + prefillMs, () => {
      if (!a.alive) return;
      if (fails) {
        end(a);
        registry.recordOutcome(live, req.model, "error");
        retryOrFail(p, "provider_error");
        return pump();
      }
      const firstAt = loop.now();
      const decodeTps = sp.decodeTpsAt(sp.running.size);
      const decodeMs = ((req.outputTokens - 1) * 1000) / decodeTps;
      loop.after(decodeMs + NETWORK_MS, () => {
        if (!a.alive) return;
        end(a);
        sp.observe(decodeTps, (req.inputTokens * 1000) / prefillMs);
        const ttftMs = firstAt - p.dispatchedAt;
        registry.recordCompletion(live, req.model, { promptTokens: req.inputTokens, completionTokens: req.outputTokens, ttftMs, decodeMs: loop.now() - firstAt });
        registry.recordOutcome(live, req.model, "success");
        resolve(p, { outcome: "served", ttftMs: firstAt - req.at, doneMs: loop.now() - req.at, queueMs: p.dispatchedAt - req.at });
        pump();
      });
    });
    return true;
  };

  /** Dispatches queued requests, oldest first per model, while providers have room. */
  function pump(): void {
    for (const model of queues.models()) {
      for (let head = queues.head(model); head && tryDispatch(head); head = queues.head(model)) {
        queues.shift(model);
        head.queued = false;
      }
    }
  }

  const arrive = (req: SimRequest) => {
    const p: Pending = { req, tried: new Set(), providers: [], attempts: 0, dispatchedAt: req.at, queued: false, done: false };
    if (queues.depth(req.model) === 0 && tryDispatch(p)) return;
    if (!queues.push(req.model, p)) return resolve(p, { outcome: "rejected_429", queueMs: 0 });
    p.queued = true;
    loop.after(QUEUE_MAX_WAIT_MS, () => {
      if (p.done || !p.queued || !queues.remove(req.model, p)) return;
      resolve(p, { outcome: "failed", queueMs: loop.now() - req.at, reason: "queue_timeout" });
    });
  };

  const heartbeat = (sp: SimProvider) => {
    if (!sp.live) return;
    registry.applyHeartbeat(sp.spec.id, sp.heartbeat(), loop.now());
    pump();
    if (unresolved > 0 || loop.now() < lastArrival) loop.after(heartbeatMs, () => heartbeat(sp));
  };

  const join = (sp: SimProvider) => {
    if (sp.live || unresolved === 0) return;
    registry.add(sp.connect(loop.now()));
    heartbeat(sp);
  };

  const leave = (sp: SimProvider) => {
    const live = sp.live;
    if (!live) return;
    registry.remove(live);
    sp.disconnect(loop.now());
    for (const a of [...sp.running]) {
      const p = owners.get(a);
      end(a);
      if (p) retryOrFail(p, "provider_lost");
    }
    pump();
  };

  for (const sp of providers) {
    loop.after(sp.spec.joinAt, () => join(sp));
    if (sp.spec.leaveAt !== undefined) loop.after(sp.spec.leaveAt, () => leave(sp));
    if (sp.spec.rejoinAt !== undefined) loop.after(sp.spec.rejoinAt, () => join(sp));
  }
  for (const req of o.trace) loop.after(req.at, () => arrive(req));
  loop.run();
  const endAt = loop.now();
  for (const sp of providers) sp.close(endAt);
  if (unresolved !== 0) throw new Error(`${unresolved} requests never resolved`);
  results.sort((a, b) => a.id - b.id);
  return { summary: summarize(o.strategy.name, results, providers, endAt), results, gatedPicks };
}
