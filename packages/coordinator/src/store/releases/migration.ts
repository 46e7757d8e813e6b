import type { Migration } from "../migrations.js";

/**
 * Migration 8: provider releases registered by CI. One row per version; `package_hash` is the
 * SHA-256 of the provider package (a registered hash marks a known release). Portable SQL.
 */
export const RELEASES_MIGRATION: Migration = {
  id: 8,
  name: "provider_releases",
  statements: [
    `CREATE TABLE provider_releases (
      version TEXT PRIMARY KEY,
      package_hash TEXT NOT NULL,
      notes TEXT,
      created_at BIGINT NOT NULL
    )`,
    `CREATE INDEX provider_releases_hash ON provider_releases(package_hash)`,
  ],
};
