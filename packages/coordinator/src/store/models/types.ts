/** A registered model manifest (the JSON is the validated wire manifest). */
export interface ManifestRecord {
  modelId: string;
  version: string;
  aggregateSha256: string;
  /** The manifest JSON as registered. */
  manifestJson: string;
  createdAt: number;
}

/**
 * `created`: stored. `exists`: the same (model_id, version) with the same aggregate hash was already
 * registered (idempotent). `conflict`: that version exists with other files (versions are immutable).
 */
export type RegisterOutcome = "created" | "exists" | "conflict";

/** The model registry (migration 5). */
export interface ModelManifestStore {
  register(input: Omit<ManifestRecord, "createdAt">): Promise<{ outcome: RegisterOutcome; record: ManifestRecord }>;
  /** Every registered manifest: by model id, newest version first. */
  list(): Promise<ManifestRecord[]>;
}
