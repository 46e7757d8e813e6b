export interface KnownModelsOptions {
  /** Most entries kept; beyond it the least recently served model not served now is forgotten. */
  max: number;
  /** An entry not served for this long is forgotten. */
  memoryMs: number;
  /** Models served right now by proven providers; such entries are never forgotten. */
  servedNow(): ReadonlySet<string>;
  /** Called whenever an entry is created or served again (persistence: known-models-writer.ts). */
  onServed?: (record: KnownModelRecord) => void;
}

/** One remembered model (the persisted form). */
export interface KnownModelRecord {
  model: string;
  firstSeenAt: number;
  lastServedAt: number;
}

interface Entry {
  firstSeenAt: number;
  lastServedAt: number;
}

/**
 * Models proven providers have served recently: they answer 503 (come back later) rather than
 * 404 while no provider serves them. Bounded and pruned, so a flood of ids can neither grow it
 * without limit nor lock a legitimately served new model out of it.
 */
export class KnownModels {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: KnownModelsOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Records that a proven provider serves (or served until) `now`. */
  served(model: string, now: number): void {
    let e = this.entries.get(model);
    if (e) e.lastServedAt = Math.max(e.lastServedAt, now);
    else {
      if (this.entries.size >= this.opts.max) this.makeRoom(now);
      // Inserted even when nothing could be forgotten: then every entry is served right now, and
      // that set is bounded by the connected providers times their model limit.
      e = { firstSeenAt: now, lastServedAt: now };
      this.entries.set(model, e);
    }
    this.opts.onServed?.({ model, firstSeenAt: e.firstSeenAt, lastServedAt: e.lastServedAt });
  }

  /**
   * Takes back what a previous run remembered (at start, before any provider registers): entries
   * past the memory window are skipped, and at most `max` are kept (the most recently served).
   */
  restore(records: readonly KnownModelRecord[], now: number): void {
    const fresh = records.filter((r) => now - r.lastServedAt <= this.opts.memoryMs).sort((a, b) => b.lastServedAt - a.lastServedAt);
    for (const r of fresh) {
      if (this.entries.size >= this.opts.max) break;
      const e = this.entries.get(r.model);
      if (e) {
        e.firstSeenAt = Math.min(e.firstSeenAt, r.firstSeenAt);
        e.lastServedAt = Math.max(e.lastServedAt, r.lastServedAt);
      } else this.entries.set(r.model, { firstSeenAt: r.firstSeenAt, lastServedAt: r.lastServedAt });
    }
  }

  knows(model: string, now: number): boolean {
    const e = this.entries.get(model);
    if (!e) return false;
    if (now - e.lastServedAt <= this.opts.memoryMs) return true;
    if (this.opts.servedNow().has(model)) {
      e.lastServedAt = now;
      return true;
    }
    this.entries.delete(model);
    return false;
  }

  firstSeenAt(model: string): number | undefined {
    return this.entries.get(model)?.firstSeenAt;
  }

  /** Forgets every expired entry; if none was, the least recently served one not served now. */
  private makeRoom(now: number): void {
    let oldest: string | undefined;
    let oldestAt = Infinity;
    let freed = false;
    const served = this.opts.servedNow();
    for (const [model, e] of this.entries) {
      if (served.has(model)) continue;
      if (now - e.lastServedAt > this.opts.memoryMs) {
        this.entries.delete(model);
        freed = true;
      } else if (e.lastServedAt < oldestAt) {
        oldest = model;
        oldestAt = e.lastServedAt;
      }
    }
    if (!freed && oldest !== undefined) this.entries.delete(oldest);
  }
}
