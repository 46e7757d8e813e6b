import { z } from "zod";
import { adminGuard } from "../../auth/index.js";
import { HttpError, badRequest, readJson, sendJson, type Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";

const Body = z.strictObject({ model: z.string().min(1).max(256) });
const MAX_BODY_BYTES = 4 * 1024;

/** GET /v1/admin/warm-pool (admin token): arrival rates, and per provider its room, pending load, load states and cooldowns. */
export function warmPoolRoute(deps: ApiDeps): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return (ctx) => {
    guard(ctx);
    sendJson(ctx.res, 200, { object: "warm_pool", ...(deps.warmPool?.snapshot() ?? { rates: {}, providers: [] }) });
  };
}

/** POST /v1/admin/providers/{id}/load|unload `{model}` (admin token): 202 once `load_model`/`unload_model` is sent. */
export function providerModelRoute(deps: ApiDeps, op: "load" | "unload"): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return async (ctx) => {
    guard(ctx);
    const { value } = await readJson(ctx.req, MAX_BODY_BYTES);
    const parsed = Body.safeParse(value);
    if (!parsed.success) throw badRequest(`Invalid body: ${parsed.error.issues[0]?.path.join(".") || "body"}: ${parsed.error.issues[0]?.message ?? "invalid"}`, "model");
    const pool = deps.warmPool;
    if (!pool) throw new HttpError(501, "The warm pool is not running on this coordinator.", "not_available");
    const id = ctx.params.id ?? "";
    const out = op === "load" ? pool.requestLoad(id, parsed.data.model) : pool.requestUnload(id, parsed.data.model);
    if (!out.ok) throw new HttpError(out.status, out.reason, out.status === 404 ? "not_found" : "load_pending");
    sendJson(ctx.res, 202, { object: "model_load_request", provider_id: id, model: parsed.data.model, op });
  };
}
