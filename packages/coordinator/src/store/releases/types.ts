/** A registered provider release. */
export interface ReleaseRecord {
  version: string;
  /** SHA-256 hex of the provider package. */
  packageHash: string;
  notes: string | null;
  createdAt: number;
}

/**
 * `created`: stored. `exists`: the same version with the same hash was already registered
 * (idempotent). `conflict`: that version is registered with another hash (versions are immutable).
 */
export type ReleaseOutcome = "created" | "exists" | "conflict";

/** Provider releases (migration 8). */
export interface ReleaseStore {
  register(input: { version: string; packageHash: string; notes: string | null }): Promise<{ outcome: ReleaseOutcome; record: ReleaseRecord }>;
  /** Every release (bounded by what CI registers), in no particular order. */
  list(): Promise<ReleaseRecord[]>;
  /** The release with this package hash, if any (the newest when several versions share it). */
  byHash(packageHash: string): Promise<ReleaseRecord | null>;
}
