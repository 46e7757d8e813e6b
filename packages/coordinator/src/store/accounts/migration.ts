import type { Migration } from "../migrations.js";

/**
 * Migration 3: built-in accounts (email + argon2id hash, referral codes, erasure), sessions,
 * OIDC identities, API key management (prefix, last use, per-key limits), the key each request
 * was made with, and coordinator secrets. Portable SQL: TEXT/BIGINT only.
 */
export const ACCOUNTS_MIGRATION: Migration = {
  id: 3,
  name: "accounts_sessions_keys_limits",
  statements: [
    `ALTER TABLE accounts ADD COLUMN email TEXT`,
    `ALTER TABLE accounts ADD COLUMN password_hash TEXT`,
    `ALTER TABLE accounts ADD COLUMN referral_code TEXT`,
    `ALTER TABLE accounts ADD COLUMN referred_by TEXT`,
    `ALTER TABLE accounts ADD COLUMN closed_at BIGINT`,
    // NULLs never collide, so erased accounts (email NULL) free their address.
    `CREATE UNIQUE INDEX accounts_email ON accounts(email)`,
    `CREATE UNIQUE INDEX accounts_referral_code ON accounts(referral_code)`,
    `ALTER TABLE api_keys ADD COLUMN prefix TEXT`,
    `ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT`,
    `ALTER TABLE api_keys ADD COLUMN rotated_at BIGINT`,
    `ALTER TABLE api_keys ADD COLUMN limit_rpm BIGINT`,
    `ALTER TABLE api_keys ADD COLUMN limit_tpm BIGINT`,
    `ALTER TABLE api_keys ADD COLUMN cap_daily BIGINT`,
    `ALTER TABLE api_keys ADD COLUMN cap_weekly BIGINT`,
    `ALTER TABLE api_keys ADD COLUMN cap_monthly BIGINT`,
    `CREATE INDEX api_keys_account ON api_keys(account_id)`,
    `CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts(id),
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      revoked_at BIGINT
    )`,
    `CREATE INDEX sessions_account ON sessions(account_id)`,
    `CREATE TABLE oidc_identities (
      issuer TEXT NOT NULL,
      subject TEXT NOT NULL,
      account_id TEXT NOT NULL REFERENCES accounts(id),
      created_at BIGINT NOT NULL,
      PRIMARY KEY (issuer, subject)
    )`,
    // Written at admission, before the reservation: joins `requests` for per-key usage and limits.
    `CREATE TABLE request_keys (
      request_id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      api_key_id TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE INDEX request_keys_key ON request_keys(api_key_id, created_at)`,
    `CREATE INDEX requests_created ON requests(created_at)`,
    `CREATE TABLE coordinator_secrets (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
  ],
};
