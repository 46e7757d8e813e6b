import { ACCOUNTS_MIGRATION } from "./accounts/migration.js";
import { MODELS_MIGRATION } from "./models/migration.js";
import { KNOWN_MODELS_MIGRATION } from "./known-models/migration.js";
import { DISPUTES_MIGRATION } from "./disputes/migration.js";
import { RELEASES_MIGRATION } from "./releases/migration.js";
import { DEVICES_MIGRATION } from "./devices/migration.js";
import type { SqlDatabase } from "./sql.js";

export interface Migration {
  id: number;
  name: string;
  statements: string[];
}

/** Append-only. Never edit a migration that has shipped; add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "accounts_keys_ledger",
    statements: [
      `CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        key_hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      `CREATE TABLE ledger_accounts (
        code TEXT PRIMARY KEY,
        balance BIGINT NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE ledger_entries (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        request_id TEXT,
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE ledger_postings (
        entry_id TEXT NOT NULL REFERENCES ledger_entries(id),
        account_code TEXT NOT NULL REFERENCES ledger_accounts(code),
        amount BIGINT NOT NULL
      )`,
      `CREATE INDEX ledger_postings_entry ON ledger_postings(entry_id)`,
      `CREATE INDEX ledger_postings_account ON ledger_postings(account_code)`,
      `CREATE TABLE requests (
        request_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        model TEXT NOT NULL,
        state TEXT NOT NULL,
        reserved BIGINT NOT NULL,
        charged BIGINT,
        shortfall BIGINT,
        prompt_tokens BIGINT,
        completion_tokens BIGINT,
        provider_id TEXT,
        created_at BIGINT NOT NULL,
        settled_at BIGINT
      )`,
      `CREATE INDEX requests_account ON requests(account_id, created_at)`,
    ],
  },
  {
    id: 2,
    name: "request_delivery_checkpoint",
    statements: [
      // Write-behind checkpoint of what reached the consumer (about once a second per request), so
      // the reservation sweeper can bill a request whose coordinator died mid-stream.
      `ALTER TABLE requests ADD COLUMN delivered_prompt_tokens BIGINT`,
      `ALTER TABLE requests ADD COLUMN delivered_completion_tokens BIGINT`,
      `ALTER TABLE requests ADD COLUMN delivered_at BIGINT`,
      `CREATE INDEX requests_state_created ON requests(state, created_at)`,
    ],
  },
  ACCOUNTS_MIGRATION,
  {
    id: 4,
    name: "prices_split_invites_payouts",
    statements: [
      // Per-model prices in micro-USD per 1M tokens; scope 'platform' or 'account:<id>' (an owner's price).
      `CREATE TABLE model_prices (
        scope TEXT NOT NULL,
        model TEXT NOT NULL,
        input_per_million BIGINT NOT NULL,
        output_per_million BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (scope, model)
      )`,
      // How each settled charge was shared (consumer debit = provider + platform fee + referral).
      `ALTER TABLE requests ADD COLUMN provider_account_id TEXT`,
      `ALTER TABLE requests ADD COLUMN provider_earned BIGINT`,
      `ALTER TABLE requests ADD COLUMN platform_fee BIGINT`,
      `ALTER TABLE requests ADD COLUMN referrer_account_id TEXT`,
      `ALTER TABLE requests ADD COLUMN referral_earned BIGINT`,
      `CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        amount BIGINT NOT NULL,
        max_uses BIGINT NOT NULL,
        uses BIGINT NOT NULL DEFAULT 0,
        expires_at BIGINT,
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE invite_redemptions (
        code TEXT NOT NULL REFERENCES invites(code),
        account_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (code, account_id)
      )`,
      `CREATE TABLE payout_accounts (
        account_id TEXT PRIMARY KEY,
        stripe_account_id TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE withdrawals (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        state TEXT NOT NULL,
        transfer_id TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE INDEX withdrawals_account ON withdrawals(account_id, created_at)`,
    ],
  },
  MODELS_MIGRATION,
  KNOWN_MODELS_MIGRATION,
  DISPUTES_MIGRATION,
  RELEASES_MIGRATION,
  DEVICES_MIGRATION,
];

/** Applies pending migrations in order, each in its own transaction. */
export async function migrate(db: SqlDatabase, now: () => number): Promise<number[]> {
  await db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const rows = await db.all<{ id: number }>(`SELECT id FROM schema_migrations`);
  const applied = new Set(rows.map((r) => Number(r.id)));
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    if (applied.has(m.id)) continue;
    await db.transaction(async (tx) => {
      for (const sql of m.statements) await tx.run(sql);
      await tx.run(`INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)`, [m.id, m.name, now()]);
    });
    done.push(m.id);
  }
  return done;
}
