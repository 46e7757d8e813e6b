import type { SqlDatabase } from "../sql.js";
import type { ManifestRecord, ModelManifestStore, RegisterOutcome } from "./types.js";

interface Row {
  model_id: string;
  version: string;
  aggregate_sha256: string;
  manifest: string;
  created_at: number;
}

const recordOf = (r: Row): ManifestRecord => ({
  modelId: r.model_id,
  version: r.version,
  aggregateSha256: r.aggregate_sha256,
  manifestJson: r.manifest,
  createdAt: Number(r.created_at),
});

const COLUMNS = `model_id, version, aggregate_sha256, manifest, created_at`;

export class SqlModelManifests implements ModelManifestStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number,
  ) {}

  async register(input: Omit<ManifestRecord, "createdAt">): Promise<{ outcome: RegisterOutcome; record: ManifestRecord }> {
    const createdAt = this.now();
    return this.db.transaction(async (tx) => {
      const inserted = await tx.run(
        `INSERT INTO model_manifests (${COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (model_id, version) DO NOTHING`,
        [input.modelId, input.version, input.aggregateSha256, input.manifestJson, createdAt],
      );
      const row = await tx.get<Row>(`SELECT ${COLUMNS} FROM model_manifests WHERE model_id = ? AND version = ?`, [input.modelId, input.version]);
      if (!row) throw new Error("model manifest vanished inside its transaction");
      const record = recordOf(row);
      if (inserted > 0) return { outcome: "created" as const, record };
      return { outcome: record.aggregateSha256 === input.aggregateSha256 ? ("exists" as const) : ("conflict" as const), record };
    });
  }

  async list(): Promise<ManifestRecord[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM model_manifests ORDER BY model_id, created_at DESC, version DESC`);
    return rows.map(recordOf);
  }
}
