import type { HeartbeatFrame, SlotCapacity } from "@darkbloom/protocol";
import { pickLeastLoaded, servesModel } from "./select.js";
import type { LiveProvider, ModelInfo, PickOptions, ProviderRegistry } from "./types.js";

const MAX_KNOWN_MODELS = 10_000;

/** Single-process registry: everything in memory, rebuilt as providers reconnect. */
export class MemoryRegistry implements ProviderRegistry {
  private readonly byId = new Map<string, LiveProvider>();
  private readonly byKid = new Map<string, LiveProvider>();
  private readonly known = new Map<string, number>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  add(p: LiveProvider): void {
    if (this.byId.has(p.id)) throw new Error(`provider ${p.id} is already registered`);
    this.byId.set(p.id, p);
    this.byKid.set(p.kid, p);
    for (const model of p.models.keys()) {
      // Bounded: model ids come from providers, and anyone can run one.
      if (!this.known.has(model) && this.known.size < MAX_KNOWN_MODELS) this.known.set(model, this.now());
    }
  }

  remove(p: LiveProvider): boolean {
    if (this.byId.get(p.id) !== p) return false;
    this.byId.delete(p.id);
    if (this.byKid.get(p.kid) === p) this.byKid.delete(p.kid);
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
    for (const s of frame.backend_capacity.slots) slots.set(s.model, s);
    p.slots = slots;
  }

  servedModels(): ModelInfo[] {
    const ids = new Set<string>();
    for (const p of this.byId.values()) for (const [id, m] of p.models) if (m.template_render_ok) ids.add(id);
    return [...ids].sort().map((id) => ({ id, firstSeenAt: this.known.get(id) ?? this.now() }));
  }

  knowsModel(model: string): boolean {
    return this.known.has(model);
  }

  candidates(model: string, opts: PickOptions = {}): LiveProvider[] {
    const out: LiveProvider[] = [];
    for (const p of this.byId.values()) {
      if (opts.exclude?.has(p.id)) continue;
      if (!servesModel(p, model)) continue;
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
}
