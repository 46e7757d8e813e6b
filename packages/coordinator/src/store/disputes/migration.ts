import type { Migration } from "../migrations.js";

/**
 * Migration 7: consumer disputes of providers' signed usage receipts, one per request (the
 * receipt is stored as the JSON that was verified). Portable SQL.
 */
export const DISPUTES_MIGRATION: Migration = {
  id: 7,
  name: "receipt_disputes",
  statements: [
    `CREATE TABLE disputes (
      request_id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      provider_id TEXT NOT NULL,
      identity_key TEXT NOT NULL,
      reason TEXT NOT NULL,
      claimed BIGINT,
      allowed BIGINT,
      receipt TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE INDEX disputes_account ON disputes(account_id, created_at)`,
    `CREATE INDEX disputes_provider ON disputes(provider_id)`,
  ],
};
