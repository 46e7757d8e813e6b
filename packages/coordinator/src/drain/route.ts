import { adminGuard } from "../auth/index.js";
import { sendJson, type Handler } from "../http/index.js";
import type { DrainGate, DrainReason } from "./gate.js";

export interface DrainRouteDeps {
  adminToken: string | undefined;
  gate: DrainGate;
  graceMs: number;
  /** Starts the graceful drain and stop (the same path as SIGTERM); idempotent. */
  beginShutdown(reason: DrainReason): void;
}

/**
 * POST /v1/admin/drain (admin token): stop admitting inference, let in-flight requests finish
 * within the grace period, then exit — what SIGTERM does, for an operator or a deploy script that
 * cannot send signals. 202 with the state; a repeated call reports the drain already running.
 */
export function drainRoute(deps: DrainRouteDeps): Handler {
  const guard = adminGuard(deps.adminToken);
  return (ctx) => {
    guard(ctx);
    const already = deps.gate.draining;
    deps.beginShutdown("admin");
    sendJson(ctx.res, 202, {
      object: "drain",
      draining: true,
      already_draining: already,
      reason: deps.gate.reason ?? "admin",
      in_flight: deps.gate.inFlight,
      grace_ms: deps.graceMs,
    });
  };
}
