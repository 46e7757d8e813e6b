import { meetsTrust, type Attestation, type HeartbeatFrame, type ProviderGate, type SlotCapacity } from "@darkbloom/protocol";
import { costOf, costStrategy, type CandidateView, type RequestShape, type SelectionStrategy } from "../routing/index.js";
import { capSlot } from "./capacity.js";
import { computeGates, isRoutable } from "./gates.js";
import { BackupStats, DEFAULT_HEALTH_POLICY, HealthCarryover, ProviderHealth, type CompletionSample, type HealthPolicy, type Outcome } from "./health/index.js";
import { KnownModels, type KnownModelRecord } from "./known-models.js";
import { MAX_KNOWN_MODELS, MAX_MODELS_PER_PROVIDER, MODEL_MEMORY_MS } from "./limits.js";
import type { ProviderState } from "./provider-state.js";
import { servesModel } from "./select.js";
import { SpeedBook, type SpeedEstimate } from "./speed/index.js";
import { StatusPublisher } from "./status.js";
import type { AnnouncedPrice, LiveProvider, ModelInfo, ModelUpdate, PickOptions, ProviderRegistry, ProviderStatus, TrustLevel } from "./types.js";

/** The fields only the registry replaces (readonly to everyone else). */
type Replaceable = { -readonly [K in "models" | "attestation" | "prices"]: LiveProvider[K] };

/** max_tokens assumed when a caller does not say (the cost function's decode term). */
const DEFAULT_MAX_TOKENS = 256;

export interface MemoryRegistryOptions {
  /** Most models remembered at once (default MAX_KNOWN_MODELS). */
  maxKnownModels?: number;
  /** How long a model stays known after its last proven provider left (default 24 h). */
  modelMemoryMs?: number;
  /** Models a previous run remembered (the store's known_models), restored at start. */
  restoredModels?: readonly KnownModelRecord[];
  /** Told whenever a model is (again) served by a proven provider, to persist it. */
  onModelServed?: (record: KnownModelRecord) => void;
  /** How `pick` chooses among eligible providers (default: SPEC cost function). */
  strategy?: SelectionStrategy;
  /** Cooldown and circuit breaker numbers (default: SPEC). */
  healthPolicy?: HealthPolicy;
  /** Is the provider's periodic attestation challenge fresh? (src/trust plugs in; default: yes). */
  challengeFresh?: (p: LiveProvider) => boolean;
  /** The operator's minimum trust level (DARKBLOOM_MIN_TRUST; default self_signed): gate `below_min_trust`. */
  minTrust?: TrustLevel;
}

/** Single-process registry: everything in memory, rebuilt as providers reconnect. */
export class MemoryRegistry implements ProviderRegistry {
  private readonly byId = new Map<string, LiveProvider>();
  private readonly byKid = new Map<string, LiveProvider>();
  private readonly states = new Map<LiveProvider, ProviderState>();
  private readonly known: KnownModels;
  private readonly speeds = new SpeedBook();
  private readonly backups = new BackupStats();
  private readonly carryover: HealthCarryover;
  private readonly status: StatusPublisher;
  private readonly strategy: SelectionStrategy;
  private readonly healthPolicy: HealthPolicy;
  private readonly challengeFresh: (p: LiveProvider) => boolean;
  private readonly minTrust: TrustLevel;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
    opts: MemoryRegistryOptions = {},
  ) {
    this.known = new KnownModels({
      max: opts.maxKnownModels ?? MAX_KNOWN_MODELS,
      memoryMs: opts.modelMemoryMs ?? MODEL_MEMORY_MS,
      servedNow: () => this.provenModels(),
      ...(opts.onModelServed && { onServed: opts.onModelServed }),
    });
    if (opts.restoredModels) this.known.restore(opts.restoredModels, now());
    this.strategy = opts.strategy ?? costStrategy();
    this.healthPolicy = opts.healthPolicy ?? DEFAULT_HEALTH_POLICY;
    this.challengeFresh = opts.challengeFresh ?? (() => true);
    this.minTrust = opts.minTrust ?? "self_signed";
    this.carryover = new HealthCarryover(now);
    this.status = new StatusPublisher((p) => this.statusOf(p));
  }

  get size(): number {
    return this.byId.size;
  }

  add(p: LiveProvider): void {
    if (this.byId.has(p.id)) throw new Error(`provider ${p.id} is already registered`);
    if (p.models.size > MAX_MODELS_PER_PROVIDER) throw new Error(`provider ${p.id} offers more than ${MAX_MODELS_PER_PROVIDER} models`);
    this.byId.set(p.id, p);
    this.byKid.set(p.kid, p);
    const health = this.carryover.take(p.id) ?? new ProviderHealth(this.now, this.healthPolicy);
    this.states.set(p, { health, system: undefined, reporting: false, draining: false, lastStatus: undefined, trustReason: undefined });
    // Only a provider that passed the registration proof can make a model known.
    if (p.trustLevel !== "none") for (const model of p.models.keys()) this.known.served(model, this.now());
  }

  remove(p: LiveProvider): boolean {
    if (this.byId.get(p.id) !== p) return false;
    this.byId.delete(p.id);
    if (this.byKid.get(p.kid) === p) this.byKid.delete(p.kid);
    const state = this.states.get(p);
    this.states.delete(p);
    if (state) this.carryover.keep(p.id, state.health);
    this.speeds.drop(p.id);
    // Remembered as served until now: the 24 h memory window starts when the last provider leaves.
    if (p.trustLevel !== "none") for (const model of p.models.keys()) this.known.served(model, this.now());
    return true;
  }

  get(id: string): LiveProvider | undefined {
    return this.byId.get(id);
  }

  all(): Iterable<LiveProvider> {
    return this.byId.values();
  }

  findByKid(kid: string): LiveProvider | undefined {
    return this.byKid.get(kid);
  }

  touch(id: string, now: number): void {
    const p = this.byId.get(id);
    if (p) p.lastSeenAt = now;
  }

  applyHeartbeat(id: string, frame: HeartbeatFrame, now: number): void {
    const p = this.byId.get(id);
    const state = p && this.states.get(p);
    if (!p || !state) return;
    p.lastSeenAt = now;
    const slots = new Map<string, SlotCapacity>();
    for (const s of frame.backend_capacity.slots) {
      const model = p.models.get(s.model);
      if (!model) continue; // slots for unregistered models are ignored
      slots.set(s.model, capSlot(s, model.context_length, p.hardware));
      this.speeds.reported(p.id, s.model, s.observed_decode_tps, s.observed_prefill_tps);
    }
    p.slots = slots;
    state.system = frame.system;
    state.reporting = true;
    state.draining = frame.status === "draining";
    // While a gate is closed every heartbeat is answered with the status; else only changes are sent.
    this.status.publish(p, state, "heartbeat");
  }

  updateModels(p: LiveProvider, update: ModelUpdate): boolean {
    if (this.byId.get(p.id) !== p) return false;
    if (update.models.size > MAX_MODELS_PER_PROVIDER) throw new Error(`provider ${p.id} offers more than ${MAX_MODELS_PER_PROVIDER} models`);
    const now = this.now();
    // Removed models were served until now (their 24 h memory starts); new ones are served from now.
    if (p.trustLevel !== "none") {
      for (const model of p.models.keys()) this.known.served(model, now);
      for (const model of update.models.keys()) this.known.served(model, now);
    }
    // Requests already dispatched for a removed model are billed at the price they were routed
    // at: its announced price stays until the next update (bounded: only the previous models').
    const prices = new Map<string, AnnouncedPrice>(update.prices);
    for (const model of p.models.keys()) {
      const old = p.prices?.get(model);
      if (old && !update.models.has(model)) prices.set(model, old);
    }
    const target = p as Replaceable;
    target.models = update.models;
    target.attestation = update.attestation;
    target.prices = prices;
    // Capacity and speeds of removed models are gone; a new model's come with the next heartbeat.
    p.slots = new Map([...p.slots].filter(([model]) => update.models.has(model)));
    this.speeds.retain(p.id, update.models);
    this.refreshStatus(p);
    return true;
  }

  servedModels(): ModelInfo[] {
    const ids = new Set<string>();
    for (const p of this.byId.values()) {
      if (!meetsTrust(p.trustLevel, this.minTrust)) continue;
      for (const id of p.models.keys()) if (servesModel(p, id)) ids.add(id);
    }
    const now = this.now();
    return [...ids].sort().map((id) => ({ id, firstSeenAt: this.known.firstSeenAt(id) ?? now }));
  }

  knowsModel(model: string): boolean {
    return this.known.knows(model, this.now());
  }

  candidates(model: string, opts: PickOptions = {}): LiveProvider[] {
    const out: LiveProvider[] = [];
    for (const p of this.byId.values()) {
      if (opts.exclude?.has(p.id)) continue;
      if (!p.models.has(model) || !this.eligible(p, model)) continue;
      if (opts.accept && !opts.accept(p)) continue;
      out.push(p);
    }
    return out;
  }

  pick(model: string, opts: PickOptions = {}): LiveProvider | undefined {
    const cands = this.candidates(model, opts);
    if (cands.length === 0) return undefined;
    const fleet = this.fleetSpeeds(model);
    const views = cands.map((p) => this.view(p, model, fleet));
    return this.strategy.choose(views, shapeOf(model, opts), this.random);
  }

  estimateMs(p: LiveProvider, model: string, opts: Pick<PickOptions, "inputTokens" | "maxTokens"> = {}): number {
    return costOf(this.view(p, model, this.fleetSpeeds(model)), shapeOf(model, opts)).total;
  }

  speedOf(p: LiveProvider, model: string): SpeedEstimate {
    return this.speeds.estimate(p.id, model, p.benchmarkTps);
  }

  recordCompletion(p: LiveProvider, model: string, sample: CompletionSample): void {
    if (this.byId.get(p.id) === p && p.models.has(model)) this.speeds.measured(p.id, model, sample);
  }

  recordOutcome(p: LiveProvider, model: string, outcome: Outcome): void {
    const state = this.states.get(p);
    if (!state) return; // gone meanwhile: its record was carried over or dropped at removal
    state.health.record(model, outcome);
    this.status.publish(p, state, "change");
  }

  recordBackupDispatched(model: string): void {
    this.backups.dispatched(model);
  }

  recordBackupWon(model: string): void {
    this.backups.won(model);
  }

  backupsWorthwhile(model: string): boolean {
    return this.backups.worthwhile(model);
  }

  gatesFor(p: LiveProvider): ProviderGate[] {
    const state = this.states.get(p);
    return computeGates(p, {
      health: state?.health,
      challengeFresh: this.challengeFresh(p),
      draining: state?.draining ?? false,
      minTrust: this.minTrust,
      ...(state?.trustReason !== undefined && { trustReason: state.trustReason }),
    });
  }

  statusOf(p: LiveProvider): ProviderStatus {
    const gates = this.gatesFor(p);
    return { trustLevel: p.trustLevel, routable: isRoutable(p, gates), gates };
  }

  announceStatus(p: LiveProvider): void {
    const state = this.states.get(p);
    if (state) this.status.publish(p, state, "always");
  }

  refreshStatus(p: LiveProvider): void {
    const state = this.states.get(p);
    if (state) this.status.publish(p, state, "change");
  }

  setTrustLevel(p: LiveProvider, level: TrustLevel, reason?: string): boolean {
    const state = this.states.get(p);
    if (this.byId.get(p.id) !== p || !state) return false;
    state.trustReason = reason;
    if (p.trustLevel !== level) {
      // Leaving or rejoining the routable set: its models were served until (or from) now.
      const now = this.now();
      for (const model of p.models.keys()) this.known.served(model, now);
      p.trustLevel = level;
    }
    this.status.publish(p, state, "change");
    return true;
  }

  replaceAttestation(p: LiveProvider, attestation: Attestation): boolean {
    if (this.byId.get(p.id) !== p) return false;
    (p as Replaceable).attestation = attestation;
    return true;
  }

  acquire(p: LiveProvider): void {
    p.inFlight++;
  }

  release(p: LiveProvider): void {
    if (p.inFlight > 0) p.inFlight--;
  }

  silentSince(cutoff: number): LiveProvider[] {
    return [...this.byId.values()].filter((p) => p.lastSeenAt < cutoff);
  }

  /** No gate on `model` (or the whole provider) and its health admits one more request. */
  private eligible(p: LiveProvider, model: string): boolean {
    const state = this.states.get(p);
    if (!state || !servesModel(p, model)) return false;
    if (state.draining || !this.challengeFresh(p) || !meetsTrust(p.trustLevel, this.minTrust)) return false;
    return state.health.admits(model, p.inFlight);
  }

  private fleetSpeeds(model: string): { decode?: number; prefill?: number } {
    const decode = this.speeds.fleetMedian(model, "decode");
    const prefill = this.speeds.fleetMedian(model, "prefill");
    return { ...(decode !== undefined && { decode }), ...(prefill !== undefined && { prefill }) };
  }

  private view(p: LiveProvider, model: string, fleet: { decode?: number; prefill?: number }): CandidateView {
    const state = this.states.get(p);
    return {
      provider: p,
      slot: p.slots.get(model),
      reporting: state?.reporting ?? false,
      pending: p.inFlight,
      speed: this.speeds.estimate(p.id, model, p.benchmarkTps, fleet),
      system: state?.system,
    };
  }

  /** Models offered right now by connected providers that passed the proof. */
  private provenModels(): Set<string> {
    const out = new Set<string>();
    for (const p of this.byId.values()) if (p.trustLevel !== "none") for (const m of p.models.keys()) out.add(m);
    return out;
  }
}

function shapeOf(model: string, opts: Pick<PickOptions, "inputTokens" | "maxTokens">): RequestShape {
  return { model, inputTokens: opts.inputTokens ?? 0, maxTokens: opts.maxTokens ?? DEFAULT_MAX_TOKENS };
}
