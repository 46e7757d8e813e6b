import type { Migration } from "../migrations.js";

/**
 * Migration 9: device login (RFC 8628) and provider ↔ account links. Codes and tokens are stored
 * only as SHA-256 hex. `provider_links` says which account a provider identity (device) earns for;
 * `requests.provider_device` records the device whose own ledger account received an unlinked
 * provider's share (moved to the account when the device is linked). Portable SQL.
 */
export const DEVICES_MIGRATION: Migration = {
  id: 9,
  name: "device_login_links",
  statements: [
    `CREATE TABLE device_codes (
      code_hash TEXT PRIMARY KEY,
      user_code_hash TEXT NOT NULL UNIQUE,
      proof_hash TEXT NOT NULL UNIQUE,
      identity_key TEXT NOT NULL,
      device_id TEXT NOT NULL,
      client_name TEXT,
      state TEXT NOT NULL,
      account_id TEXT,
      interval_ms BIGINT NOT NULL,
      polls BIGINT NOT NULL DEFAULT 0,
      last_poll_at BIGINT,
      expires_at BIGINT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE INDEX device_codes_expires ON device_codes(expires_at)`,
    `CREATE INDEX device_codes_device ON device_codes(device_id)`,
    `CREATE TABLE provider_tokens (
      id TEXT PRIMARY KEY,
      token_hash TEXT NOT NULL UNIQUE,
      account_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      identity_key TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      revoked_at BIGINT
    )`,
    `CREATE INDEX provider_tokens_device ON provider_tokens(device_id)`,
    `CREATE TABLE provider_links (
      device_id TEXT PRIMARY KEY,
      identity_key TEXT NOT NULL,
      account_id TEXT NOT NULL,
      linked_at BIGINT NOT NULL
    )`,
    `CREATE INDEX provider_links_account ON provider_links(account_id)`,
    `ALTER TABLE requests ADD COLUMN provider_device TEXT`,
  ],
};
