import type { Migration } from "../migrations.js";

/**
 * Migration 5: the model registry. One row per (model_id, version); `manifest` is the manifest as
 * registered (JSON text, validated by ModelManifestSchema before it is stored). Portable SQL.
 */
export const MODELS_MIGRATION: Migration = {
  id: 5,
  name: "model_manifests",
  statements: [
    `CREATE TABLE model_manifests (
      model_id TEXT NOT NULL,
      version TEXT NOT NULL,
      aggregate_sha256 TEXT NOT NULL,
      manifest TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (model_id, version)
    )`,
  ],
};
