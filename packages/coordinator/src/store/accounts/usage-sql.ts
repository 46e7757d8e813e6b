import type { SqlDatabase } from "../sql.js";
import type { NetworkTotals, UsageRow, UsageStore } from "./types.js";

const DAY_MS = 86_400_000;

/** A UTC day number as `YYYY-MM-DD`. */
export function dayString(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** Read-only usage and network totals from the `requests` table. */
export class SqlUsage implements UsageStore {
  constructor(private readonly db: SqlDatabase) {}

  async byDayAndKey(accountId: string, fromMs: number, toMs: number): Promise<UsageRow[]> {
    // Integer division of BIGINT by BIGINT floors on both engines (times are positive).
    const rows = await this.db.all<{
      day: number;
      api_key_id: string | null;
      requests: number;
      prompt: number | null;
      completion: number | null;
      charged: number | null;
    }>(
      `SELECT r.created_at / ${DAY_MS} AS day, k.api_key_id AS api_key_id, COUNT(*) AS requests,
          SUM(COALESCE(r.prompt_tokens, 0)) AS prompt, SUM(COALESCE(r.completion_tokens, 0)) AS completion,
          SUM(COALESCE(r.charged, 0)) AS charged
         FROM requests r LEFT JOIN request_keys k ON k.request_id = r.request_id
        WHERE r.account_id = ? AND r.created_at >= ? AND r.created_at < ?
        GROUP BY r.created_at / ${DAY_MS}, k.api_key_id
        ORDER BY day`,
      [accountId, fromMs, toMs],
    );
    const out = rows.map((r) => ({
      day: dayString(Number(r.day)),
      apiKeyId: r.api_key_id,
      requests: Number(r.requests),
      promptTokens: Number(r.prompt ?? 0),
      completionTokens: Number(r.completion ?? 0),
      chargedMicros: Number(r.charged ?? 0),
    }));
    // NULL ordering differs between engines: order keys here.
    return out.sort((a, b) => a.day.localeCompare(b.day) || (a.apiKeyId ?? "").localeCompare(b.apiKeyId ?? ""));
  }

  async spentMicros(accountId: string): Promise<number> {
    const row = await this.db.get<{ s: number | null }>(
      `SELECT SUM(COALESCE(charged, 0)) AS s FROM requests WHERE account_id = ? AND state <> 'reserved'`,
      [accountId],
    );
    return Number(row?.s ?? 0);
  }

  async totalsSince(since: number): Promise<NetworkTotals> {
    const row = await this.db.get<{ n: number; p: number | null; c: number | null }>(
      `SELECT COUNT(*) AS n, SUM(COALESCE(prompt_tokens, 0)) AS p, SUM(COALESCE(completion_tokens, 0)) AS c
         FROM requests WHERE created_at >= ?`,
      [since],
    );
    return { requests: Number(row?.n ?? 0), promptTokens: Number(row?.p ?? 0), completionTokens: Number(row?.c ?? 0) };
  }
}
