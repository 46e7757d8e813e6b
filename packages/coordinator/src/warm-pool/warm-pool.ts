import type { HeartbeatFrame, LoadModelStatusFrame, LoadState } from "@darkbloom/protocol";
import type { Logger } from "../log/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock, TimerHandle } from "../runtime/index.js";
import { planLoads } from "./plan.js";
import { ArrivalRates } from "./rate.js";
import type { LoadAction, PoolProvider, PoolSettings } from "./types.js";

const GIB = 2 ** 30;
/** Rates below this (req/s) count as no traffic: about one request in the last ~17 minutes. */
const RATE_FLOOR = 0.001;
const MAX_COOLDOWNS = 10_000;

export interface WarmPoolOptions {
  registry: ProviderRegistry;
  clock: Clock;
  logger: Logger;
  /** How often the pool plans (ms); 0: only when `tick()` is called. */
  tickMs: number;
  /** A load unanswered this long counts as failed. */
  loadTimeoutMs: number;
  /** After a failed load, the pool does not ask that provider for that model again this long. */
  cooldownMs: number;
  /** Time constant of the arrival-rate average (default 60 s). */
  rateTauMs?: number;
  settings?: Partial<PoolSettings>;
}

/** What the socket layer reports to the pool (heartbeats, load answers, disconnects). */
export interface ModelLoadEvents {
  onHeartbeat(provider: LiveProvider, frame: HeartbeatFrame): void;
  onLoadStatus(provider: LiveProvider, frame: LoadModelStatusFrame): void;
  onProviderGone(provider: LiveProvider): void;
}

interface ProviderState {
  freeForLoadGb: number | undefined;
  pending: { model: string; since: number } | undefined;
  /** Last load state reported per model (bounded by the provider's models, at most 16). */
  last: Map<string, { state: LoadState; at: number; reason?: string }>;
}

export type PoolRequestResult = { ok: true } | { ok: false; status: 404 | 409; reason: string };

/**
 * Keeps enough providers loaded per model for its recent arrival rate: each tick, plans `load_model`
 * frames to idle providers with room (plan.ts); tracks one pending load per provider, the answers
 * (`load_model_status`), and a cooldown per provider and model after a failed load. State is keyed
 * by the provider instance and dropped when it disconnects (and on every tick for any instance the
 * registry no longer holds).
 */
export class WarmPool implements ModelLoadEvents {
  private readonly rates: ArrivalRates;
  private readonly state = new Map<LiveProvider, ProviderState>();
  private readonly cooldowns = new Map<string, number>();
  private readonly settings: PoolSettings;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly opts: WarmPoolOptions) {
    this.rates = new ArrivalRates(opts.rateTauMs ?? 60_000);
    this.settings = { serviceSeconds: 10, slotsPerProvider: 4, maxModelsPerProvider: 3, ...opts.settings };
  }

  start(): void {
    if (this.opts.tickMs <= 0) return;
    const loop = () => {
      if (this.stopped) return;
      this.tick();
      this.timer = this.opts.clock.setTimeout(loop, this.opts.tickMs);
    };
    this.timer = this.opts.clock.setTimeout(loop, this.opts.tickMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
  }

  /** A request for `model` arrived (counted before routing: demand, whether or not it is served). */
  noteArrival(model: string): void {
    this.rates.note(model, this.opts.clock.now());
  }

  rateOf(model: string): number {
    return this.rates.rate(model, this.opts.clock.now());
  }

  onHeartbeat(p: LiveProvider, frame: HeartbeatFrame): void {
    if (frame.free_for_load_gb !== undefined) this.stateOf(p).freeForLoadGb = frame.free_for_load_gb;
  }

  onLoadStatus(p: LiveProvider, frame: LoadModelStatusFrame): void {
    if (!p.models.has(frame.model)) return; // not a model it offers: ignored (bounded by its models)
    const st = this.stateOf(p);
    const now = this.opts.clock.now();
    if (frame.free_for_load_gb !== undefined) st.freeForLoadGb = frame.free_for_load_gb;
    st.last.set(frame.model, { state: frame.state, at: now, ...(frame.reason !== undefined && { reason: frame.reason }) });
    const answersPending = st.pending?.model === frame.model && frame.state !== "loading";
    if (answersPending) st.pending = undefined;
    if (frame.state === "failed") {
      if (st.pending?.model === frame.model) st.pending = undefined;
      this.coolDown(p.id, frame.model, now);
    }
    const log = frame.state === "failed" ? this.opts.logger.warn : this.opts.logger.info;
    log.call(this.opts.logger, "model load status", { provider_id: p.id, model: frame.model, state: frame.state, ...(frame.reason !== undefined && { reason: frame.reason }) });
  }

  onProviderGone(p: LiveProvider): void {
    this.state.delete(p);
  }

  /** Plans and sends loads now; returns what it sent. */
  tick(): LoadAction[] {
    const now = this.opts.clock.now();
    this.expire(now);
    const rates = this.rates.active(now, RATE_FLOOR);
    if (rates.size === 0) return [];
    const live = new Map<string, LiveProvider>();
    const view: PoolProvider[] = [];
    for (const p of this.opts.registry.all()) {
      if (p.trustLevel === "none") continue;
      live.set(p.id, p);
      view.push(this.viewOf(p, now));
    }
    const actions = planLoads(rates, view, this.settings);
    for (const a of actions) {
      const p = live.get(a.providerId);
      if (p) this.sendLoad(p, a.model, now, a.detail);
    }
    return actions;
  }

  /** An operator's load (admin route): any offered model, one pending load per provider, no cooldown check. */
  requestLoad(providerId: string, model: string): PoolRequestResult {
    const p = this.opts.registry.get(providerId);
    if (!p || p.trustLevel === "none") return { ok: false, status: 404, reason: `no registered provider ${providerId}` };
    if (!p.models.has(model)) return { ok: false, status: 404, reason: `provider ${providerId} does not offer ${model}` };
    const pending = this.state.get(p)?.pending;
    if (pending) return { ok: false, status: 409, reason: `a load of ${pending.model} is pending on ${providerId}` };
    this.sendLoad(p, model, this.opts.clock.now(), "requested by an operator");
    return { ok: true };
  }

  requestUnload(providerId: string, model: string): PoolRequestResult {
    const p = this.opts.registry.get(providerId);
    if (!p || p.trustLevel === "none") return { ok: false, status: 404, reason: `no registered provider ${providerId}` };
    if (!p.models.has(model)) return { ok: false, status: 404, reason: `provider ${providerId} does not offer ${model}` };
    p.link.send({ type: "unload_model", model }, "control");
    this.opts.logger.info("unload_model sent", { provider_id: p.id, model });
    return { ok: true };
  }

  /** For the admin view: rates, and per provider its room, pending load, last states and cooldowns. */
  snapshot(): { rates: Record<string, number>; providers: Record<string, unknown>[] } {
    const now = this.opts.clock.now();
    const rates = Object.fromEntries([...this.rates.active(now, RATE_FLOOR)].map(([m, r]) => [m, Math.round(r * 1000) / 1000]));
    const providers = [];
    for (const p of this.opts.registry.all()) {
      const st = this.state.get(p);
      providers.push({
        id: p.id,
        free_for_load_gb: st?.freeForLoadGb ?? null,
        pending_load: st?.pending?.model ?? null,
        models: [...p.models.keys()].map((model) => {
          const last = st?.last.get(model);
          const until = this.cooldowns.get(cooldownKey(p.id, model));
          return {
            id: model,
            slot_state: p.slots.get(model)?.state ?? "cold",
            load_state: last?.state ?? null,
            ...(last?.reason !== undefined && { reason: last.reason }),
            cooldown_until: until !== undefined && until > now ? until : null,
          };
        }),
      });
    }
    return { rates, providers };
  }

  private sendLoad(p: LiveProvider, model: string, now: number, detail: string): void {
    if (!p.link.send({ type: "load_model", model }, "control")) return;
    this.stateOf(p).pending = { model, since: now };
    this.opts.logger.info("load_model sent", { provider_id: p.id, model, detail });
  }

  private viewOf(p: LiveProvider, now: number): PoolProvider {
    const st = this.state.get(p);
    const offered = new Map<string, number>();
    const coolingDown = new Set<string>();
    for (const [id, m] of p.models) {
      if (!m.template_render_ok) continue;
      offered.set(id, m.size_bytes / GIB);
      if ((this.cooldowns.get(cooldownKey(p.id, id)) ?? 0) > now) coolingDown.add(id);
    }
    const loaded = new Set<string>();
    let busy = p.inFlight > 0;
    for (const [id, s] of p.slots) {
      if (s.state === "idle" || s.state === "running") loaded.add(id);
      if (s.num_running + s.num_waiting > 0 || s.state === "reloading") busy = true;
    }
    return { id: p.id, offered, loaded, idle: !busy, freeForLoadGb: st?.freeForLoadGb, pendingLoad: st?.pending !== undefined, coolingDown };
  }

  /** Pending loads past their deadline count as failed; state of gone instances and old cooldowns is dropped. */
  private expire(now: number): void {
    for (const [p, st] of this.state) {
      if (this.opts.registry.get(p.id) !== p) {
        this.state.delete(p);
        continue;
      }
      if (st.pending && now - st.pending.since > this.opts.loadTimeoutMs) {
        const model = st.pending.model;
        st.pending = undefined;
        st.last.set(model, { state: "failed", at: now, reason: `no answer within ${this.opts.loadTimeoutMs} ms` });
        this.coolDown(p.id, model, now);
        this.opts.logger.warn("model load timed out", { provider_id: p.id, model });
      }
    }
    for (const [key, until] of this.cooldowns) if (until <= now) this.cooldowns.delete(key);
  }

  private coolDown(providerId: string, model: string, now: number): void {
    const key = cooldownKey(providerId, model);
    this.cooldowns.delete(key);
    this.cooldowns.set(key, now + this.opts.cooldownMs);
    // Bounded: the oldest cooldowns go first.
    while (this.cooldowns.size > MAX_COOLDOWNS) {
      const oldest = this.cooldowns.keys().next().value;
      if (oldest === undefined) break;
      this.cooldowns.delete(oldest);
    }
  }

  private stateOf(p: LiveProvider): ProviderState {
    let st = this.state.get(p);
    if (!st) {
      st = { freeForLoadGb: undefined, pending: undefined, last: new Map() };
      this.state.set(p, st);
    }
    return st;
  }
}

function cooldownKey(providerId: string, model: string): string {
  return `${providerId}\n${model}`;
}
