import type { SqlDatabase, SqlParam } from "../sql.js";
import type { SubStoreDeps } from "./accounts-sql.js";
import { NO_LIMITS, type KeyLimits, type KeyStore, type KeyUpdate, type ManagedKey, type TokenEvent } from "./types.js";

interface KeyRow {
  id: string;
  account_id: string;
  label: string;
  prefix: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  limit_rpm: number | null;
  limit_tpm: number | null;
  cap_daily: number | null;
  cap_weekly: number | null;
  cap_monthly: number | null;
}

const KEY_COLUMNS = `id, account_id, label, prefix, created_at, last_used_at, revoked_at, limit_rpm, limit_tpm, cap_daily, cap_weekly, cap_monthly`;

/** Column of each limit. */
const LIMIT_COLUMNS: Record<keyof KeyLimits, string> = {
  requestsPerMinute: "limit_rpm",
  tokensPerMinute: "limit_tpm",
  dailyMicros: "cap_daily",
  weeklyMicros: "cap_weekly",
  monthlyMicros: "cap_monthly",
};

const num = (v: number | null): number | null => (v === null ? null : Number(v));

const keyOf = (r: KeyRow): ManagedKey => ({
  id: r.id,
  accountId: r.account_id,
  name: r.label,
  prefix: r.prefix ?? "",
  createdAt: Number(r.created_at),
  lastUsedAt: num(r.last_used_at),
  revokedAt: num(r.revoked_at),
  limits: {
    requestsPerMinute: num(r.limit_rpm),
    tokensPerMinute: num(r.limit_tpm),
    dailyMicros: num(r.cap_daily),
    weeklyMicros: num(r.cap_weekly),
    monthlyMicros: num(r.cap_monthly),
  },
});

/** API key management, request→key tags and the per-key windows limits read. */
export class SqlKeys implements KeyStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly deps: SubStoreDeps,
  ) {}

  async create(input: { accountId: string; keyHash: string; name: string; prefix: string; limits?: Partial<KeyLimits> }): Promise<ManagedKey> {
    if (!/^[0-9a-f]{64}$/.test(input.keyHash)) throw new Error("keyHash must be a SHA-256 hex digest");
    const limits: KeyLimits = { ...NO_LIMITS, ...input.limits };
    const id = this.deps.newId("key");
    await this.db.run(
      `INSERT INTO api_keys (id, account_id, key_hash, label, created_at, revoked_at, prefix, limit_rpm, limit_tpm, cap_daily, cap_weekly, cap_monthly)
         VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.accountId,
        input.keyHash,
        input.name,
        this.deps.now(),
        input.prefix,
        limits.requestsPerMinute,
        limits.tokensPerMinute,
        limits.dailyMicros,
        limits.weeklyMicros,
        limits.monthlyMicros,
      ],
    );
    const key = await this.get(input.accountId, id);
    if (!key) throw new Error("created key not found");
    return key;
  }

  async list(accountId: string): Promise<ManagedKey[]> {
    const rows = await this.db.all<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at, id`,
      [accountId],
    );
    return rows.map(keyOf);
  }

  async get(accountId: string, id: string): Promise<ManagedKey | null> {
    const row = await this.db.get<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ? AND account_id = ? AND revoked_at IS NULL`, [
      id,
      accountId,
    ]);
    return row ? keyOf(row) : null;
  }

  async update(accountId: string, id: string, change: KeyUpdate): Promise<ManagedKey | null> {
    const sets: string[] = [];
    const params: SqlParam[] = [];
    if (change.name !== undefined) {
      sets.push("label = ?");
      params.push(change.name);
    }
    for (const [field, column] of Object.entries(LIMIT_COLUMNS) as [keyof KeyLimits, string][]) {
      const value = change.limits?.[field];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(value);
    }
    if (sets.length > 0) {
      await this.db.run(`UPDATE api_keys SET ${sets.join(", ")} WHERE id = ? AND account_id = ? AND revoked_at IS NULL`, [
        ...params,
        id,
        accountId,
      ]);
    }
    return this.get(accountId, id);
  }

  async rotate(accountId: string, id: string, secret: { keyHash: string; prefix: string }): Promise<ManagedKey | null> {
    if (!/^[0-9a-f]{64}$/.test(secret.keyHash)) throw new Error("keyHash must be a SHA-256 hex digest");
    const changed = await this.db.run(
      `UPDATE api_keys SET key_hash = ?, prefix = ?, rotated_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL`,
      [secret.keyHash, secret.prefix, this.deps.now(), id, accountId],
    );
    return changed > 0 ? this.get(accountId, id) : null;
  }

  async revoke(accountId: string, id: string): Promise<boolean> {
    const changed = await this.db.run(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL`, [
      this.deps.now(),
      id,
      accountId,
    ]);
    return changed > 0;
  }

  async touch(id: string, at: number, minIntervalMs: number): Promise<void> {
    await this.db.run(`UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`, [
      at,
      id,
      at - minIntervalMs,
    ]);
  }

  async tagRequest(input: { requestId: string; accountId: string; apiKeyId: string }): Promise<void> {
    await this.db.run(`INSERT INTO request_keys (request_id, account_id, api_key_id, created_at) VALUES (?, ?, ?, ?)`, [
      input.requestId,
      input.accountId,
      input.apiKeyId,
      this.deps.now(),
    ]);
  }

  async spendSince(apiKeyId: string, since: number): Promise<number> {
    const row = await this.db.get<{ s: number | null }>(
      `SELECT SUM(CASE WHEN r.state = 'reserved' THEN r.reserved ELSE COALESCE(r.charged, 0) END) AS s
         FROM request_keys k JOIN requests r ON r.request_id = k.request_id
        WHERE k.api_key_id = ? AND k.created_at >= ?`,
      [apiKeyId, since],
    );
    return Number(row?.s ?? 0);
  }

  async tokenEventsSince(apiKeyId: string, since: number): Promise<TokenEvent[]> {
    const rows = await this.db.all<{ at: number; tokens: number }>(
      `SELECT r.settled_at AS at, COALESCE(r.prompt_tokens, 0) + COALESCE(r.completion_tokens, 0) AS tokens
         FROM request_keys k JOIN requests r ON r.request_id = k.request_id
        WHERE k.api_key_id = ? AND k.created_at >= ? AND r.settled_at >= ?
        ORDER BY r.settled_at`,
      // A request settles after it was admitted; bound the index scan by its admission too.
      [apiKeyId, since - MAX_REQUEST_LOOKBACK_MS, since],
    );
    return rows.map((r) => ({ at: Number(r.at), tokens: Number(r.tokens) }));
  }
}

/** Requests settled inside a window may have been admitted this much earlier (longest request: 1 day max). */
const MAX_REQUEST_LOOKBACK_MS = 24 * 3_600_000;
