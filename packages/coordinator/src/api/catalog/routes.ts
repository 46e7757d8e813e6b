import { ModelManifestSchema } from "@darkbloom/protocol";
import { adminGuard } from "../../auth/index.js";
import { HttpError, badRequest, readJson, sendJson, type Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { catalogEntryOf, resolveBaseUrl } from "./entries.js";

/** Manifests are small: 64 files at most. */
const MAX_MANIFEST_BYTES = 64 * 1024;

/**
 * POST /v1/admin/models/register (admin token): stores a manifest after checking it (schema,
 * sizes, aggregate_sha256, a usable base URL). 201 created; 200 when the same version with the same
 * files is registered again; 409 when that version exists with other files (versions are immutable).
 */
export function registerModelRoute(deps: ApiDeps): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return async (ctx) => {
    guard(ctx);
    const { value } = await readJson(ctx.req, MAX_MANIFEST_BYTES);
    const parsed = ModelManifestSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join(".") || null;
      throw badRequest(`Invalid manifest: ${param ?? "manifest"}: ${issue?.message ?? "invalid"}`, param);
    }
    const manifest = parsed.data;
    if (resolveBaseUrl(manifest, deps.config.modelBaseUrl) === undefined) {
      throw badRequest("The manifest has no base_url and the coordinator has no DARKBLOOM_MODEL_BASE_URL: nowhere to download its files from.", "base_url");
    }
    ctx.logFields.model = manifest.model_id;
    const { outcome, record } = await deps.store.models.register({
      modelId: manifest.model_id,
      version: manifest.version,
      aggregateSha256: manifest.aggregate_sha256,
      manifestJson: JSON.stringify(manifest),
    });
    if (outcome === "conflict") {
      throw new HttpError(409, `Version ${manifest.version} of ${manifest.model_id} is already registered with other files (aggregate ${record.aggregateSha256}); register a new version.`, "model_version_exists");
    }
    sendJson(ctx.res, outcome === "created" ? 201 : 200, { object: "model_manifest", created: outcome === "created", ...catalogEntryOf(record, deps.config.modelBaseUrl) });
  };
}

/**
 * GET /v1/models/catalog: every registered manifest with its resolved base URL. Public (like the
 * attestation list): manifests hold only names, sizes, hashes and URLs, and a provider operator needs
 * them before having any key.
 */
export function catalogRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const records = await deps.store.models.list();
    const data = records.map((r) => catalogEntryOf(r, deps.config.modelBaseUrl)).filter((e) => e !== undefined);
    sendJson(ctx.res, 200, { object: "list", data });
  };
}
