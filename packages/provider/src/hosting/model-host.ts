// Several models resident at once (up to maxLoaded), each with its own engine and context, under
// the memory gate; idle ones are evicted least recently used first, busy ones never. Loads are
// serialized (one at a time: they compete for memory and disk), requests for a loaded model never
// wait for them.
import type { LoadModelStatusFrame, ProviderModel, SlotCapacity } from "@darkbloom/protocol";
import { freeForLoadBytes, loadGate, toGb, type MemoryPolicy } from "../memory/index.js";
import type { Logger } from "../log.js";
import type { HostedEngine } from "../serve/types.js";
import { planEvictions } from "./evict.js";
import { restingSlot, slotOf } from "./slots.js";
import type { EngineLoader, ModelLease, ModelSource, OfferedModel } from "./types.js";

export const MAX_LOADED_MODELS = 3;

type Entry =
  | { state: "cold" }
  | { state: "loading"; done: Promise<LoadOutcome> }
  | { state: "loaded"; engine: HostedEngine; leases: number; lastUsed: number }
  | { state: "unloaded"; last: SlotCapacity };

type LoadOutcome = { ok: true } | { ok: false; reason: string };

export interface ModelHostOptions {
  offered: readonly OfferedModel[];
  policy: MemoryPolicy;
  load: EngineLoader;
  log: Logger;
  parallel: number;
  maxLoaded?: number;
  /** Extra ceiling on the cap (provider.toml memory_cap_gb), bytes. */
  capBytes?: number;
  now?: () => number;
}

export class ModelHost implements ModelSource {
  private readonly offered = new Map<string, OfferedModel>();
  private readonly entries = new Map<string, Entry>();
  private readonly maxLoaded: number;
  private readonly now: () => number;
  private readonly policy: MemoryPolicy;
  /** Loads run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Where load_model_status frames go (the coordinator link, when connected). */
  private statusSink: ((frame: LoadModelStatusFrame) => void) | undefined;

  constructor(private readonly opts: ModelHostOptions) {
    for (const m of opts.offered) {
      this.offered.set(m.id, m);
      this.entries.set(m.id, { state: "cold" });
    }
    this.maxLoaded = opts.maxLoaded ?? MAX_LOADED_MODELS;
    this.now = opts.now ?? Date.now;
    const capped = opts.capBytes;
    // memory_cap_gb can only lower the cap: fold it into the fraction.
    this.policy =
      capped === undefined || opts.policy.totalBytes <= 0
        ? opts.policy
        : { ...opts.policy, capFraction: Math.min(opts.policy.capFraction, capped / opts.policy.totalBytes) };
  }

  setStatusSink(sink: ((frame: LoadModelStatusFrame) => void) | undefined): void {
    this.statusSink = sink;
  }

  /** Every offered model as registered (loaded or not). */
  describe(): ProviderModel[] {
    return [...this.offered.values()].map((m) => m.description);
  }

  offers(model: string): boolean {
    return this.offered.has(model);
  }

  /** Loaded engines, by model id. */
  loaded(): Map<string, HostedEngine> {
    const out = new Map<string, HostedEngine>();
    for (const [id, e] of this.entries) if (e.state === "loaded") out.set(id, e.engine);
    return out;
  }

  stateOf(model: string): Entry["state"] | undefined {
    return this.entries.get(model)?.state;
  }

  /** Loads the models marked preload, in order, as far as the model limit and the gate allow. */
  async preload(): Promise<void> {
    for (const m of this.offered.values()) {
      if (!m.preload) continue;
      if (this.loadedCount() >= this.maxLoaded) {
        this.opts.log("model_not_preloaded", { model: m.id, reason: `at most ${this.maxLoaded} models are loaded at once; it loads on demand` });
        continue;
      }
      await this.load(m.id, "start", false);
    }
  }

  /** A request's engine: the loaded one, or the model loaded first (cold); a refusal says why. */
  async acquire(model: string): Promise<ModelLease> {
    if (!this.offered.has(model)) return { ok: false, code: "model_not_found", message: `model ${model} is not offered here`, retryable: true };
    if (this.entries.get(model)?.state !== "loaded") {
      const out = await this.load(model, "request", false);
      if (!out.ok) return { ok: false, code: "overloaded", message: `model ${model} is not loaded here and cannot be loaded now: ${out.reason}`, retryable: true };
    }
    const e = this.entries.get(model);
    if (e?.state !== "loaded") return { ok: false, code: "overloaded", message: `model ${model} was unloaded; retry`, retryable: true };
    e.leases++;
    e.lastUsed = this.now();
    let released = false;
    return {
      ok: true,
      engine: e.engine,
      release: () => {
        if (released) return;
        released = true;
        e.leases--;
        e.lastUsed = this.now();
      },
    };
  }

  /**
   * Loads an offered model (no-op when loaded), evicting idle models least recently used first
   * when the model limit or the memory gate needs it. Reports loading → loaded | failed.
   */
  load(model: string, origin: "start" | "request" | "coordinator", report = true): Promise<LoadOutcome> {
    const e = this.entries.get(model);
    if (!e || !this.offered.has(model)) {
      const out = { ok: false as const, reason: `model ${model} is not offered by this provider` };
      this.emit({ type: "load_model_status", model, state: "failed", reason: out.reason });
      return Promise.resolve(out);
    }
    if (e.state === "loaded") {
      if (report) this.emit({ type: "load_model_status", model, state: "loaded", free_for_load_gb: this.freeForLoadGb() });
      return Promise.resolve({ ok: true });
    }
    if (e.state === "loading") return e.done;
    const before = e;
    const done = this.enqueue(() => this.doLoad(model, origin, before));
    this.entries.set(model, { state: "loading", done });
    return done;
  }

  /** Unloads a model once nothing holds it; a busy model stays (reported as failed, with why). */
  async unload(model: string): Promise<LoadOutcome> {
    const e = this.entries.get(model);
    if (!e) return this.report(model, { ok: false, reason: `model ${model} is not offered by this provider` });
    if (e.state === "loading") return this.report(model, { ok: false, reason: `model ${model} is loading` });
    if (e.state !== "loaded") {
      this.emit({ type: "load_model_status", model, state: "unloaded", free_for_load_gb: this.freeForLoadGb() });
      return { ok: true };
    }
    if (this.isBusy(e)) return this.report(model, { ok: false, reason: `model ${model} has requests running` });
    await this.evict(model, "unload_model");
    this.emit({ type: "load_model_status", model, state: "unloaded", free_for_load_gb: this.freeForLoadGb() });
    return { ok: true };
  }

  /** Slots for heartbeats: loaded (live), loading (`reloading`), unloaded (`idle_shutdown`); cold: none. */
  slots(): SlotCapacity[] {
    const out: SlotCapacity[] = [];
    for (const [id, e] of this.entries) {
      const m = this.offered.get(id)!;
      const fallback = { maxConcurrency: this.opts.parallel, budgetMax: m.description.context_length * this.opts.parallel };
      if (e.state === "loaded") out.push(slotOf(e.engine.capacity()));
      else if (e.state === "loading") out.push(restingSlot(id, "reloading", undefined, fallback));
      else if (e.state === "unloaded") out.push(restingSlot(id, "idle_shutdown", e.last, fallback));
    }
    return out;
  }

  /** The largest weights (GiB) the gate would admit now without evicting anything. */
  freeForLoadGb(): number {
    return toGb(freeForLoadBytes(this.policy, this.residentBytes()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    for (const [id, e] of this.entries) {
      if (e.state !== "loaded") continue;
      this.entries.set(id, { state: "cold" });
      await e.engine.close().catch(() => undefined);
    }
  }

  private async doLoad(model: string, origin: string, before: Entry): Promise<LoadOutcome> {
    const m = this.offered.get(model)!;
    const fail = (reason: string): LoadOutcome => {
      this.inProgress = undefined;
      this.entries.set(model, before);
      this.opts.log("model_load_failed", { model, origin, reason });
      return this.report(model, { ok: false, reason });
    };
    if (this.closed) return fail("the provider is shutting down");
    const gateInput = (resident: number) => ({ residentBytes: resident, incomingWeightsBytes: m.description.size_bytes, incomingKvBytes: m.kvBytes });
    const alone = loadGate(this.policy, gateInput(0));
    if (!alone.ok) return fail(alone.reason);
    const resident = [...this.entries].flatMap(([id, e]) =>
      e.state === "loaded" ? [{ id, bytes: this.bytesOf(id), busy: this.isBusy(e), lastUsed: e.lastUsed }] : [],
    );
    const plan = planEvictions(resident, this.maxLoaded, (bytes) => loadGate(this.policy, gateInput(bytes)).ok);
    if (!plan.ok) {
      const gate = loadGate(this.policy, gateInput(this.residentBytes()));
      return fail(gate.ok ? plan.reason : `${plan.reason}: ${gate.reason}`);
    }
    // Detached together before any await, so no request can lease a victim while others close.
    const victims = plan.evict.map((id) => this.detach(id));
    for (const close of victims) await close?.(`making room for ${model}`);
    this.emit({ type: "load_model_status", model, state: "loading" });
    const started = this.now();
    this.inProgress = model;
    try {
      const engine = await this.opts.load(m);
      this.inProgress = undefined;
      if (this.closed) {
        await engine.close().catch(() => undefined);
        return fail("the provider is shutting down");
      }
      this.entries.set(model, { state: "loaded", engine, leases: 0, lastUsed: this.now() });
      this.opts.log("model_resident", { model, origin, ms: this.now() - started, loaded: this.loadedCount(), free_for_load_gb: this.freeForLoadGb() });
      this.emit({ type: "load_model_status", model, state: "loaded", free_for_load_gb: this.freeForLoadGb() });
      return { ok: true };
    } catch (err) {
      return fail(`loading failed: ${(err as Error).message.split("\n")[0]?.slice(0, 300) ?? "unknown error"}`);
    }
  }

  /** The model whose engine is being created right now (counted as resident). */
  private inProgress: string | undefined;

  private enqueue(task: () => Promise<LoadOutcome>): Promise<LoadOutcome> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evict(model: string, why: string): Promise<void> {
    await this.detach(model)?.(why);
  }

  /** Takes a loaded model out of service now (synchronously); the returned function closes its engine. */
  private detach(model: string): ((why: string) => Promise<void>) | undefined {
    const e = this.entries.get(model);
    if (e?.state !== "loaded") return undefined;
    this.entries.set(model, { state: "unloaded", last: slotOf(e.engine.capacity()) });
    return async (why) => {
      await e.engine.close().catch(() => undefined);
      this.opts.log("model_unloaded", { model, why, loaded: this.loadedCount() });
    };
  }

  private isBusy(e: Extract<Entry, { state: "loaded" }>): boolean {
    if (e.leases > 0) return true;
    const c = e.engine.capacity();
    return c.numRunning + c.numWaiting > 0;
  }

  private loadedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state === "loaded") n++;
    return n;
  }

  private bytesOf(model: string): number {
    const m = this.offered.get(model)!;
    return m.description.size_bytes + Math.max(m.kvBytes, 0);
  }

  /** Weights + KV of the models loaded (and the one being loaded right now). */
  private residentBytes(): number {
    let n = this.inProgress === undefined ? 0 : this.bytesOf(this.inProgress);
    for (const [id, e] of this.entries) if (e.state === "loaded") n += this.bytesOf(id);
    return n;
  }

  private report(model: string, out: LoadOutcome): LoadOutcome {
    if (!out.ok) this.emit({ type: "load_model_status", model, state: "failed", reason: out.reason.slice(0, 512), free_for_load_gb: this.freeForLoadGb() });
    return out;
  }

  private emit(frame: LoadModelStatusFrame): void {
    this.statusSink?.(frame);
  }
}
