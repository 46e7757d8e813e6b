import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import type { Handler } from "../http/index.js";
import { sendJson } from "../http/index.js";
import { DRAIN_RETRY_AFTER_S } from "../drain/index.js";
import type { ApiDeps } from "./deps.js";

/** GET /health: liveness, the number of connected providers and the wire protocol version. No auth. */
export function healthRoute(deps: ApiDeps): Handler {
  return (ctx) => sendJson(ctx.res, 200, { status: "ok", providers: deps.registry.size, protocol_version: PROTOCOL_VERSION });
}

/**
 * GET /readyz: 200 while the coordinator takes new requests, 503 + Retry-After while it drains
 * (a load balancer moves new traffic elsewhere). No auth; /health stays a pure liveness check.
 */
export function readyzRoute(deps: ApiDeps): Handler {
  return (ctx) => {
    const drain = deps.ops.drain;
    if (!drain.draining) return sendJson(ctx.res, 200, { status: "ready" });
    sendJson(ctx.res, 503, { status: "draining", in_flight: drain.inFlight }, { "retry-after": String(DRAIN_RETRY_AFTER_S) });
  };
}
