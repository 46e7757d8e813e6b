import type { SqlDatabase } from "../sql.js";
import type { ReleaseOutcome, ReleaseRecord, ReleaseStore } from "./types.js";

interface Row {
  version: string;
  package_hash: string;
  notes: string | null;
  created_at: number;
}

const recordOf = (r: Row): ReleaseRecord => ({ version: r.version, packageHash: r.package_hash, notes: r.notes, createdAt: Number(r.created_at) });
const COLUMNS = `version, package_hash, notes, created_at`;

export class SqlReleases implements ReleaseStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number,
  ) {}

  async register(input: { version: string; packageHash: string; notes: string | null }): Promise<{ outcome: ReleaseOutcome; record: ReleaseRecord }> {
    const createdAt = this.now();
    return this.db.transaction(async (tx) => {
      const inserted = await tx.run(`INSERT INTO provider_releases (${COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (version) DO NOTHING`, [
        input.version,
        input.packageHash,
        input.notes,
        createdAt,
      ]);
      const row = await tx.get<Row>(`SELECT ${COLUMNS} FROM provider_releases WHERE version = ?`, [input.version]);
      if (!row) throw new Error("release vanished inside its transaction");
      const record = recordOf(row);
      if (inserted > 0) return { outcome: "created" as const, record };
      return { outcome: record.packageHash === input.packageHash ? ("exists" as const) : ("conflict" as const), record };
    });
  }

  async list(): Promise<ReleaseRecord[]> {
    return (await this.db.all<Row>(`SELECT ${COLUMNS} FROM provider_releases`)).map(recordOf);
  }

  async byHash(packageHash: string): Promise<ReleaseRecord | null> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM provider_releases WHERE package_hash = ? ORDER BY created_at DESC LIMIT 1`, [packageHash]);
    return row ? recordOf(row) : null;
  }
}
