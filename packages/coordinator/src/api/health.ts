import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import type { Handler } from "../http/index.js";
import { sendJson } from "../http/index.js";
import type { ApiDeps } from "./deps.js";

/** GET /health: liveness, the number of connected providers and the wire protocol version. No auth. */
export function healthRoute(deps: ApiDeps): Handler {
  return (ctx) => sendJson(ctx.res, 200, { status: "ok", providers: deps.registry.size, protocol_version: PROTOCOL_VERSION });
}
