import { z } from "zod";
import { aggregateSha256 } from "./aggregate.js";

export const MODEL_MANIFEST_SCHEMA_VERSION = 1;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");

/** A `/`-separated relative path without empty, `.` or `..` segments (safe to join under a directory or URL). */
const safeRelative = (what: string, chars: RegExp) =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(chars, `${what} has characters outside ${chars.source}`)
    .refine((p) => p.split("/").every((s) => s !== "" && s !== "." && s !== ".."), `${what} must be relative, without empty, "." or ".." segments`);

/** Model ids as providers announce them (letters, digits, `_ . : / -`). */
export const CatalogModelIdSchema = safeRelative("model_id", /^[\w.:/-]+$/);

export const MODEL_FILE_ROLES = ["weights", "projector", "tokenizer", "config", "other"] as const;

export const ModelFileSchema = z.strictObject({
  /** Relative to the manifest's base URL, and to the model's directory on the provider. */
  path: safeRelative("path", /^[\w.-]+(\/[\w.-]+)*$/),
  size_bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: hex64,
  role: z.enum(MODEL_FILE_ROLES),
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

/**
 * A model in the coordinator's registry: what to download and how to check it. `aggregate_sha256`
 * is `aggregateSha256(files)` (see aggregate.ts) and `total_size_bytes` the sum of the sizes; both
 * are checked here, so a parsed manifest is consistent. Exactly one file has role `weights` (the
 * GGUF the engine loads). `base_url` (optional): where the files live (`base_url/path`); without
 * it the coordinator's DARKBLOOM_MODEL_BASE_URL is used.
 */
export const ModelManifestSchema = z
  .strictObject({
    schema_version: z.literal(MODEL_MANIFEST_SCHEMA_VERSION),
    model_id: CatalogModelIdSchema,
    version: z.string().regex(/^[\w.+-]{1,64}$/, "must be 1-64 of letters, digits, `_ . + -`"),
    files: z.array(ModelFileSchema).min(1).max(64),
    aggregate_sha256: hex64,
    total_size_bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    base_url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  })
  .superRefine((m, ctx) => {
    const paths = new Set<string>();
    for (const f of m.files) {
      if (paths.has(f.path)) ctx.addIssue({ code: "custom", path: ["files"], message: `duplicate file path ${JSON.stringify(f.path)}` });
      paths.add(f.path);
    }
    const weights = m.files.filter((f) => f.role === "weights").length;
    if (weights !== 1) ctx.addIssue({ code: "custom", path: ["files"], message: `exactly one file must have role "weights", found ${weights}` });
    const total = m.files.reduce((n, f) => n + f.size_bytes, 0);
    if (total !== m.total_size_bytes) ctx.addIssue({ code: "custom", path: ["total_size_bytes"], message: `must be the sum of the file sizes (${total})` });
    const aggregate = aggregateSha256(m.files);
    if (aggregate !== m.aggregate_sha256) ctx.addIssue({ code: "custom", path: ["aggregate_sha256"], message: `does not match the files (expected ${aggregate})` });
  });
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** One entry of GET /v1/models/catalog: a registered manifest with its resolved base URL. */
export const CatalogEntrySchema = ModelManifestSchema.safeExtend({
  base_url: z.url({ protocol: /^https?$/ }),
  registered_at: z.number().int(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const CatalogResponseSchema = z.object({
  object: z.literal("list"),
  data: z.array(CatalogEntrySchema),
});

/** The URL of one file of a catalog entry: `base_url` (with a trailing `/`) + the file's path. */
export function modelFileUrl(baseUrl: string, path: string): string {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return new URL(path.split("/").map(encodeURIComponent).join("/"), base).toString();
}
