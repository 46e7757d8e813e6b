import type { SqlDatabase } from "../sql.js";
import type { KnownModelRecord, KnownModelStore } from "./types.js";

interface Row {
  model: string;
  first_seen_at: number;
  last_served_at: number;
}

export class SqlKnownModels implements KnownModelStore {
  constructor(private readonly db: SqlDatabase) {}

  async record(records: readonly KnownModelRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const r of records) {
        await tx.run(
          `INSERT INTO known_models (model, first_seen_at, last_served_at) VALUES (?, ?, ?)
           ON CONFLICT (model) DO UPDATE SET
             first_seen_at = CASE WHEN excluded.first_seen_at < known_models.first_seen_at THEN excluded.first_seen_at ELSE known_models.first_seen_at END,
             last_served_at = CASE WHEN excluded.last_served_at > known_models.last_served_at THEN excluded.last_served_at ELSE known_models.last_served_at END`,
          [r.model, r.firstSeenAt, r.lastServedAt],
        );
      }
    });
  }

  async load(since: number, limit: number): Promise<KnownModelRecord[]> {
    await this.db.transaction(async (tx) => {
      await tx.run(`DELETE FROM known_models WHERE last_served_at < ?`, [since]);
      await tx.run(
        `DELETE FROM known_models WHERE model NOT IN (SELECT model FROM known_models ORDER BY last_served_at DESC, model LIMIT ?)`,
        [limit],
      );
    });
    const rows = await this.db.all<Row>(`SELECT model, first_seen_at, last_served_at FROM known_models ORDER BY last_served_at DESC, model`);
    return rows.map((r) => ({ model: r.model, firstSeenAt: Number(r.first_seen_at), lastServedAt: Number(r.last_served_at) }));
  }
}
