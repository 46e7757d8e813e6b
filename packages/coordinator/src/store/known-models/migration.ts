import type { Migration } from "../migrations.js";

/**
 * Migration 6: models proven providers served recently, so a restarted coordinator answers 503
 * (come back shortly) rather than 404 for them while providers reconnect. Bounded by the
 * coordinator (store/known-models/known-models-sql.ts `load` prunes). Portable SQL.
 */
export const KNOWN_MODELS_MIGRATION: Migration = {
  id: 6,
  name: "known_models",
  statements: [
    `CREATE TABLE known_models (
      model TEXT PRIMARY KEY,
      first_seen_at BIGINT NOT NULL,
      last_served_at BIGINT NOT NULL
    )`,
    `CREATE INDEX known_models_last_served ON known_models(last_served_at)`,
  ],
};
