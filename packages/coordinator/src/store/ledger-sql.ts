import type { SqlDatabase, SqlExecutor } from "./sql.js";
import { LEDGER, assertMicros, type Posting } from "./ledger-codes.js";
import { StoreError, type LedgerCheck, type SettleSplit } from "./types.js";

/** Double-entry primitives on the portable query layer, shared by every part of the store. */

export async function balanceOf(ex: SqlExecutor, code: string): Promise<number> {
  const row = await ex.get<{ balance: number }>(`SELECT balance FROM ledger_accounts WHERE code = ?`, [code]);
  return Number(row?.balance ?? 0);
}

export async function entryExists(ex: SqlExecutor, key: string): Promise<boolean> {
  return (await ex.get(`SELECT 1 AS x FROM ledger_entries WHERE idempotency_key = ?`, [key])) !== undefined;
}

export interface EntryHeader {
  id: string;
  kind: string;
  idempotencyKey: string;
  requestId: string | null;
  createdAt: number;
}

/** Writes one balanced entry and updates the cached balances. */
export async function postEntry(tx: SqlExecutor, entry: EntryHeader, postings: Posting[]): Promise<void> {
  const live = postings.filter((p) => p.amount !== 0);
  if (live.reduce((s, p) => s + p.amount, 0) !== 0) throw new StoreError(`unbalanced ${entry.kind} entry`);
  await tx.run(`INSERT INTO ledger_entries (id, kind, idempotency_key, request_id, created_at) VALUES (?, ?, ?, ?, ?)`, [
    entry.id,
    entry.kind,
    entry.idempotencyKey,
    entry.requestId,
    entry.createdAt,
  ]);
  // Row locks in one global order (by code): concurrent entries touching the same balances in a
  // different order (reserve: available→held, settle: held→available) would otherwise deadlock.
  // One multi-row statement each for balances and postings: fewer round trips per transaction.
  // (An upsert may touch each balance once: postings to the same code are summed first.)
  if (live.length === 0) return;
  const deltas = new Map<string, number>();
  for (const p of live) deltas.set(p.account, (deltas.get(p.account) ?? 0) + p.amount);
  const codes = [...deltas.keys()].sort();
  const rows = (count: number, width: number) => Array.from({ length: count }, () => `(${Array(width).fill("?").join(", ")})`).join(", ");
  await tx.run(
    `INSERT INTO ledger_accounts (code, balance) VALUES ${rows(codes.length, 2)}
       ON CONFLICT (code) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance`,
    codes.flatMap((code) => [code, deltas.get(code)!]),
  );
  await tx.run(
    `INSERT INTO ledger_postings (entry_id, account_code, amount) VALUES ${rows(live.length, 3)}`,
    live.flatMap((p) => [entry.id, p.account, p.amount]),
  );
}

/** Double-entry invariants: postings sum to zero, per entry and per cached balance. */
export async function checkLedger(db: SqlDatabase): Promise<LedgerCheck> {
  const sum = await db.get<{ s: number | null }>(`SELECT SUM(amount) AS s FROM ledger_postings`);
  const unbalanced = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT entry_id FROM ledger_postings GROUP BY entry_id HAVING SUM(amount) <> 0) u`,
  );
  const drifted = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM ledger_accounts a
       WHERE a.balance <> COALESCE((SELECT SUM(p.amount) FROM ledger_postings p WHERE p.account_code = a.code), 0)`,
  );
  return {
    postingSum: Number(sum?.s ?? 0),
    unbalancedEntries: Number(unbalanced?.n ?? 0),
    driftedAccounts: Number(drifted?.n ?? 0),
  };
}

/** A split must share exactly what is charged (the charge is never above the hold). */
export function checkSplit(split: SettleSplit, charged: number): void {
  assertMicros("providerMicros", split.providerMicros);
  assertMicros("platformFeeMicros", split.platformFeeMicros);
  assertMicros("referralMicros", split.referralMicros);
  if (split.providerMicros + split.platformFeeMicros + split.referralMicros !== charged) {
    throw new StoreError(`the split does not sum to the charge (${charged} µUSD; was the charge above the hold?)`);
  }
  if (split.referralMicros > 0 && split.referrerAccountId === null) throw new StoreError("a referral share needs a referrer");
}

/** The postings of a split; `deviceId`: an unlinked provider's own earnings account takes its share. */
export function splitPostings(split: SettleSplit, deviceId: string | null = null): Posting[] {
  const providerAccount =
    split.providerAccountId !== null ? LEDGER.earnings(split.providerAccountId) : deviceId !== null ? LEDGER.device(deviceId) : LEDGER.unclaimedEarnings;
  return [
    { account: providerAccount, amount: split.providerMicros },
    { account: LEDGER.fees, amount: split.platformFeeMicros },
    ...(split.referrerAccountId === null ? [] : [{ account: LEDGER.referral(split.referrerAccountId), amount: split.referralMicros }]),
  ];
}
