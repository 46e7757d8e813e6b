import type { Attestation, HeartbeatFrame, SlotCapacity } from "@darkbloom/protocol";
import { capSlot } from "./capacity.js";
import { KnownModels } from "./known-models.js";
import { MAX_KNOWN_MODELS, MAX_MODELS_PER_PROVIDER, MODEL_MEMORY_MS } from "./limits.js";
import { pickLeastLoaded, servesModel } from "./select.js";
import type { AnnouncedPrice, LiveProvider, ModelInfo, ModelUpdate, PickOptions, ProviderRegistry, TrustLevel } from "./types.js";

/** The fields only the registry replaces (readonly to everyone else). */
type Replaceable = { -readonly [K in "models" | "attestation" | "prices"]: LiveProvider[K] };

export interface MemoryRegistryOptions {
  /** Most models remembered at once (default MAX_KNOWN_MODELS). */
  maxKnownModels?: number;
  /** How long a model stays known after its last proven provider left (default 24 h). */
  modelMemoryMs?: number;
  /**
   * The trust gate (src/trust): the operator's minimum trust level and challenge freshness. A
   * provider it refuses is no candidate and serves no model. Default: every provider passes.
   */
  eligible?: (p: LiveProvider) => boolean;
}

/** Single-process registry: everything in memory, rebuilt as providers reconnect. */
export class MemoryRegistry implements ProviderRegistry {
  private readonly byId = new Map<string, LiveProvider>();
  private readonly byKid = new Map<string, LiveProvider>();
  private readonly known: KnownModels;
  private readonly eligible: (p: LiveProvider) => boolean;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
    opts: MemoryRegistryOptions = {},
  ) {
    this.eligible = opts.eligible ?? (() => true);
    this.known = new KnownModels({
      max: opts.maxKnownModels ?? MAX_KNOWN_MODELS,
      memoryMs: opts.modelMemoryMs ?? MODEL_MEMORY_MS,
      servedNow: () => this.provenModels(),
    });
  }

  get size(): number {
    return this.byId.size;
  }

  add(p: LiveProvider): void {
    if (this.byId.has(p.id)) throw new Error(`provider ${p.id} is already registered`);
    if (p.models.size > MAX_MODELS_PER_PROVIDER) throw new Error(`provider ${p.id} offers more than ${MAX_MODELS_PER_PROVIDER} models`);
    this.byId.set(p.id, p);
    this.byKid.set(p.kid, p);
    // Only a provider that passed the registration proof can make a model known.
    if (p.trustLevel !== "none") for (const model of p.models.keys()) this.known.served(model, this.now());
  }

  remove(p: LiveProvider): boolean {
    if (this.byId.get(p.id) !== p) return false;
    this.byId.delete(p.id);
    if (this.byKid.get(p.kid) === p) this.byKid.delete(p.kid);
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
    if (!p) return;
    p.lastSeenAt = now;
    const slots = new Map<string, SlotCapacity>();
    for (const s of frame.backend_capacity.slots) {
      const model = p.models.get(s.model);
      if (model) slots.set(s.model, capSlot(s, model.context_length)); // slots for unregistered models are ignored
    }
    p.slots = slots;
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
    // Capacity of removed models is gone; a new model's comes with the next heartbeat.
    p.slots = new Map([...p.slots].filter(([model]) => update.models.has(model)));
    return true;
  }

  setTrustLevel(p: LiveProvider, level: TrustLevel): boolean {
    if (this.byId.get(p.id) !== p) return false;
    if (p.trustLevel === level) return true;
    // Leaving or rejoining the routable set: its models were served until (or from) now.
    const now = this.now();
    for (const model of p.models.keys()) this.known.served(model, now);
    p.trustLevel = level;
    return true;
  }

  replaceAttestation(p: LiveProvider, attestation: Attestation): boolean {
    if (this.byId.get(p.id) !== p) return false;
    (p as Replaceable).attestation = attestation;
    return true;
  }

  servedModels(): ModelInfo[] {
    const ids = new Set<string>();
    for (const p of this.byId.values()) {
      if (!this.eligible(p)) continue;
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
      if (!servesModel(p, model)) continue;
      if (!this.eligible(p)) continue;
      if (opts.accept && !opts.accept(p)) continue;
      out.push(p);
    }
    return out;
  }

  pick(model: string, opts?: PickOptions): LiveProvider | undefined {
    return pickLeastLoaded(this.candidates(model, opts), model, this.random);
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

  /** Models offered right now by connected providers that passed the proof. */
  private provenModels(): Set<string> {
    const out = new Set<string>();
    for (const p of this.byId.values()) if (p.trustLevel !== "none") for (const m of p.models.keys()) out.add(m);
    return out;
  }
}
