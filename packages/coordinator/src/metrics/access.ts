import { isIP } from "node:net";
import { bearerToken, secretMatcher } from "../auth/index.js";
import { HttpError, type RequestContext } from "../http/index.js";

export interface MetricsAccessConfig {
  /** DARKBLOOM_METRICS_TOKEN */
  metricsToken: string | undefined;
  /** DARKBLOOM_ADMIN_TOKEN */
  adminToken: string | undefined;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(a) === 4) return a.startsWith("127.");
  return a === "::1";
}

/**
 * Who may scrape /metrics (compared in constant time):
 * - DARKBLOOM_METRICS_TOKEN set: `Authorization: Bearer <metrics token>` (the admin token works too);
 * - else DARKBLOOM_ADMIN_TOKEN set: the admin token;
 * - else (no secret configured: a development set-up) only clients on loopback, without a token.
 */
export function metricsAccess(cfg: MetricsAccessConfig): (ctx: RequestContext) => void {
  const tokens = [cfg.metricsToken, cfg.adminToken].filter((t): t is string => t !== undefined).map(secretMatcher);
  return (ctx) => {
    if (tokens.length === 0) {
      if (isLoopback(ctx.req.socket.remoteAddress)) return;
      throw new HttpError(403, "Metrics are served to loopback clients only: set DARKBLOOM_METRICS_TOKEN to scrape from elsewhere.", "metrics_forbidden");
    }
    const token = bearerToken(ctx.req.headers.authorization);
    if (token === undefined) throw new HttpError(401, "Missing metrics token. Send `Authorization: Bearer <DARKBLOOM_METRICS_TOKEN>`.", "invalid_metrics_token");
    // Every matcher runs, so the time taken does not say which secret (if any) matched.
    const matched = tokens.map((m) => m(token)).some(Boolean);
    if (!matched) throw new HttpError(401, "Invalid metrics token.", "invalid_metrics_token");
  };
}
