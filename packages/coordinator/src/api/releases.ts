import { ReleaseRequestSchema, type Release } from "@darkbloom/protocol";
import { bearerToken, secretMatcher } from "../auth/index.js";
import { HttpError, notFound, sendJson, type Handler, type RequestContext } from "../http/index.js";
import { compareSemver } from "../releases/index.js";
import type { ReleaseRecord } from "../store/index.js";
import type { ApiDeps } from "./deps.js";
import { readValid, unixSeconds } from "./require-account.js";

const releaseOf = (r: ReleaseRecord): Release => ({
  object: "release",
  version: r.version,
  package_hash: r.packageHash,
  notes: r.notes,
  created_at: unixSeconds(r.createdAt),
});

/** `Authorization: Bearer <DARKBLOOM_RELEASE_TOKEN>`, constant-time; 403 when no release token is configured. */
function releaseGuard(token: string | undefined): (ctx: RequestContext) => void {
  const matches = token === undefined ? undefined : secretMatcher(token);
  return (ctx) => {
    if (!matches) throw new HttpError(403, "Release registration is disabled: set DARKBLOOM_RELEASE_TOKEN on the coordinator.", "releases_disabled");
    const presented = bearerToken(ctx.req.headers.authorization);
    if (presented === undefined) throw new HttpError(401, "Missing release token. Send `Authorization: Bearer <release token>`.", "invalid_release_token");
    if (!matches(presented)) throw new HttpError(401, "Invalid release token.", "invalid_release_token");
    ctx.logFields.release_publisher = true;
  };
}

/**
 * POST /v1/releases (release token): registers a provider version and its package hash
 * (`npm run release:hash` prints the body). 201 created; 200 when the same version and hash are
 * registered again; 409 when the version exists with another hash (versions are immutable).
 */
export function registerReleaseRoute(deps: ApiDeps): Handler {
  const guard = releaseGuard(deps.config.releaseToken);
  return async (ctx) => {
    guard(ctx);
    const body = await readValid(ctx, ReleaseRequestSchema);
    ctx.logFields.version = body.version;
    const { outcome, record } = await deps.store.releases.register({ version: body.version, packageHash: body.package_hash, notes: body.notes ?? null });
    if (outcome === "conflict") {
      throw new HttpError(409, `Version ${body.version} is already registered with package hash ${record.packageHash}; register a new version.`, "release_exists", "version");
    }
    sendJson(ctx.res, outcome === "created" ? 201 : 200, { ...releaseOf(record), created: outcome === "created" });
  };
}

/** The highest semantic version among `releases`. */
export function latestRelease(releases: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  let best: ReleaseRecord | undefined;
  for (const r of releases) if (!best || (compareSemver(r.version, best.version) ?? 0) > 0) best = r;
  return best;
}

/** GET /v1/releases/latest (public): the highest registered version, 404 when none is registered. */
export function latestReleaseRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const latest = latestRelease(await deps.store.releases.list());
    if (!latest) throw notFound("No provider release is registered yet.", "no_release");
    sendJson(ctx.res, 200, {
      ...releaseOf(latest),
      ...(deps.config.minProviderVersion !== undefined && { min_provider_version: deps.config.minProviderVersion }),
    });
  };
}
