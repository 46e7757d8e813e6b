import { type CatalogEntry, type ModelManifest } from "@darkbloom/protocol";
import type { ManifestRecord } from "../../store/index.js";

/** Where a manifest's files live: its own `base_url`, else `<DARKBLOOM_MODEL_BASE_URL>/<model_id>/<version>`. */
export function resolveBaseUrl(manifest: Pick<ModelManifest, "base_url" | "model_id" | "version">, modelBaseUrl: string | undefined): string | undefined {
  if (manifest.base_url !== undefined) return manifest.base_url;
  if (modelBaseUrl === undefined) return undefined;
  const base = modelBaseUrl.replace(/\/+$/, "");
  return `${base}/${manifest.model_id.split("/").map(encodeURIComponent).join("/")}/${encodeURIComponent(manifest.version)}`;
}

/** A stored manifest as a catalog entry (unusable ones — no base URL any more — are left out). */
export function catalogEntryOf(record: ManifestRecord, modelBaseUrl: string | undefined): CatalogEntry | undefined {
  const manifest = JSON.parse(record.manifestJson) as ModelManifest;
  const baseUrl = resolveBaseUrl(manifest, modelBaseUrl);
  if (baseUrl === undefined) return undefined;
  return { ...manifest, base_url: baseUrl, registered_at: Math.floor(record.createdAt / 1000) };
}
