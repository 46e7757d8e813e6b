import type { SqlDatabase } from "../sql.js";
import type { DisputeRecord, DisputeStore, ProviderDisputeCount } from "./types.js";

interface Row {
  request_id: string;
  account_id: string;
  provider_id: string;
  identity_key: string;
  reason: string;
  claimed: number | null;
  allowed: number | null;
  receipt: string;
  created_at: number;
}

const COLUMNS = `request_id, account_id, provider_id, identity_key, reason, claimed, allowed, receipt, created_at`;
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

const recordOf = (r: Row): DisputeRecord => ({
  requestId: r.request_id,
  accountId: r.account_id,
  providerId: r.provider_id,
  identityKey: r.identity_key,
  reason: r.reason,
  claimed: num(r.claimed),
  allowed: num(r.allowed),
  receiptJson: r.receipt,
  createdAt: Number(r.created_at),
});

export class SqlDisputes implements DisputeStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number,
  ) {}

  async file(input: Omit<DisputeRecord, "createdAt">): Promise<{ created: boolean; record: DisputeRecord }> {
    const createdAt = this.now();
    return this.db.transaction(async (tx) => {
      const inserted = await tx.run(
        `INSERT INTO disputes (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING`,
        [input.requestId, input.accountId, input.providerId, input.identityKey, input.reason, input.claimed, input.allowed, input.receiptJson, createdAt],
      );
      const row = await tx.get<Row>(`SELECT ${COLUMNS} FROM disputes WHERE request_id = ?`, [input.requestId]);
      if (!row) throw new Error("dispute vanished inside its transaction");
      return { created: inserted > 0, record: recordOf(row) };
    });
  }

  async get(requestId: string): Promise<DisputeRecord | null> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM disputes WHERE request_id = ?`, [requestId]);
    return row ? recordOf(row) : null;
  }

  async countFiledSince(accountId: string, since: number): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM disputes WHERE account_id = ? AND created_at >= ?`, [accountId, since]);
    return Number(row?.n ?? 0);
  }

  async countAgainst(providerId: string): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM disputes WHERE provider_id = ?`, [providerId]);
    return Number(row?.n ?? 0);
  }

  async countsByProvider(limit: number): Promise<ProviderDisputeCount[]> {
    const rows = await this.db.all<{ provider_id: string; n: number | string }>(
      `SELECT provider_id, COUNT(*) AS n FROM disputes GROUP BY provider_id ORDER BY COUNT(*) DESC, provider_id LIMIT ?`,
      [Math.max(0, Math.floor(limit))],
    );
    return rows.map((r) => ({ providerId: r.provider_id, disputes: Number(r.n) }));
  }
}
