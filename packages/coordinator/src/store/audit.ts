import type { SqlExecutor } from "./sql.js";
import { LEDGER } from "./ledger-codes.js";
import type { RequestAudit } from "./types.js";

interface SettledRow {
  request_id: string;
  account_id: string;
  reserved: number;
  charged: number | null;
  provider_account_id: string | null;
  provider_device: string | null;
  provider_earned: number | null;
  platform_fee: number | null;
  referrer_account_id: string | null;
  referral_earned: number | null;
}

const add = (m: Map<string, number>, code: string, amount: number) => {
  if (amount !== 0) m.set(code, (m.get(code) ?? 0) + amount);
};

/** The postings a settled request's entry must consist of, per ledger account. */
function expectedPostings(r: SettledRow, problems: string[]): Map<string, number> {
  const reserved = Number(r.reserved);
  const charged = Number(r.charged ?? 0);
  const m = new Map<string, number>();
  add(m, LEDGER.held(r.account_id), -reserved);
  add(m, LEDGER.available(r.account_id), reserved - charged);
  if (r.provider_earned === null) {
    add(m, LEDGER.revenue, charged);
    return m;
  }
  const provider = Number(r.provider_earned);
  const fee = Number(r.platform_fee ?? 0);
  const referral = Number(r.referral_earned ?? 0);
  if (provider + fee + referral !== charged) {
    problems.push(`${r.request_id}: consumer debit ${charged} != provider ${provider} + fee ${fee} + referral ${referral}`);
  }
  if (referral > 0 && r.referrer_account_id === null) problems.push(`${r.request_id}: a referral share with no referrer`);
  const providerCode =
    r.provider_account_id !== null ? LEDGER.earnings(r.provider_account_id) : r.provider_device !== null ? LEDGER.device(r.provider_device) : LEDGER.unclaimedEarnings;
  add(m, providerCode, provider);
  add(m, LEDGER.fees, fee);
  if (r.referrer_account_id !== null) add(m, LEDGER.referral(r.referrer_account_id), referral);
  return m;
}

const describe = (m: Map<string, number>) =>
  [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/** See `Store.auditRequests`. Reads the whole requests table: for tests and health checks, not the hot path. */
export async function auditRequests(db: SqlExecutor): Promise<RequestAudit> {
  const problems: string[] = [];
  const rows = await db.all<SettledRow>(
    `SELECT request_id, account_id, reserved, charged, provider_account_id, provider_device, provider_earned, platform_fee, referrer_account_id, referral_earned
       FROM requests WHERE state <> 'reserved'`,
  );
  const postings = await db.all<{ request_id: string; account_code: string; amount: number }>(
    `SELECT e.request_id, p.account_code, p.amount FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id
       WHERE e.kind = 'settle'`,
  );
  const actual = new Map<string, Map<string, number>>();
  for (const p of postings) {
    let m = actual.get(p.request_id);
    if (!m) actual.set(p.request_id, (m = new Map()));
    add(m, p.account_code, Number(p.amount));
  }
  for (const r of rows) {
    const want = describe(expectedPostings(r, problems));
    const got = describe(actual.get(r.request_id) ?? new Map());
    if (want !== got) problems.push(`${r.request_id}: settle postings ${got || "(none)"} != expected ${want}`);
  }
  const open = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM requests WHERE state = 'reserved'`);
  const held = await db.get<{ s: number | null }>(`SELECT SUM(balance) AS s FROM ledger_accounts WHERE code LIKE 'user:%:held'`);
  return { settledRequests: rows.length, openRequests: Number(open?.n ?? 0), heldMicros: Number(held?.s ?? 0), problems };
}
