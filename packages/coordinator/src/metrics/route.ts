import type { Handler } from "../http/index.js";
import { metricsAccess, type MetricsAccessConfig } from "./access.js";
import type { CoordinatorMetrics } from "./coordinator-metrics.js";
import { CONTENT_TYPE } from "./exposition.js";

/** GET /metrics: Prometheus text exposition (0.0.4); access rules in access.ts. */
export function metricsRoute(metrics: CoordinatorMetrics, cfg: MetricsAccessConfig): Handler {
  const allow = metricsAccess(cfg);
  return (ctx) => {
    allow(ctx);
    const body = metrics.render();
    ctx.res.writeHead(200, { "content-type": CONTENT_TYPE, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
    ctx.res.end(body);
  };
}
