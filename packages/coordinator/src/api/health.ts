import type { Handler } from "../http/index.js";
import { sendJson } from "../http/index.js";
import type { ApiDeps } from "./deps.js";

/** GET /health: liveness plus the number of connected providers. No auth. */
export function healthRoute(deps: ApiDeps): Handler {
  return (ctx) => sendJson(ctx.res, 200, { status: "ok", providers: deps.registry.size });
}
