import { z } from "zod";

/** Provider releases (`POST /v1/releases`, `GET /v1/releases/latest`). */

/** Semantic version `MAJOR.MINOR.PATCH` with an optional `-prerelease` (no build metadata). */
export const SEMVER_RE = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** SHA-256 hex of the provider package (see the provider's `release/package-hash.ts`). */
export const PACKAGE_HASH_RE = /^[0-9a-f]{64}$/;

export const ReleaseRequestSchema = z.object({
  version: z.string().max(64).regex(SEMVER_RE, "must be a semantic version like 1.2.3"),
  package_hash: z.string().regex(PACKAGE_HASH_RE, "must be 64 lowercase hex (npm run release:hash)"),
  notes: z.string().max(4096).optional(),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequestSchema>;

export const ReleaseSchema = z.object({
  object: z.literal("release"),
  version: z.string(),
  package_hash: z.string(),
  notes: z.string().nullable(),
  /** Unix seconds. */
  created_at: z.number().int(),
});
export type Release = z.infer<typeof ReleaseSchema>;
