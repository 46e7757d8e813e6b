/** A model a proven provider served: when first seen, and until when it was last served. */
export interface KnownModelRecord {
  model: string;
  firstSeenAt: number;
  lastServedAt: number;
}

/** The coordinator's memory of recently served models (migration 6). */
export interface KnownModelStore {
  /** Upserts each: the earliest `firstSeenAt` and the latest `lastServedAt` win. */
  record(records: readonly KnownModelRecord[]): Promise<void>;
  /**
   * Forgets models last served before `since` and all but the `limit` most recently served, then
   * returns what is left (most recently served first).
   */
  load(since: number, limit: number): Promise<KnownModelRecord[]>;
}
