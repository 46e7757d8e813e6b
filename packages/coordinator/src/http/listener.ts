import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorFormat } from "@darkbloom/protocol";
import type { Logger } from "../log/index.js";
import { errorFields } from "../log/index.js";
import { HttpError } from "./errors.js";
import { pickRequestId } from "./request-id.js";
import { sendError } from "./respond.js";
import type { RequestContext, Router } from "./router.js";
import { RequestTiming } from "./timing.js";

export interface ListenerDeps {
  router: Router;
  logger: Logger;
  newRequestId: () => string;
  now: () => number;
  /** Monotonic sub-millisecond clock for phase timings (default performance.now). */
  hrNow?: () => number;
  /** Level of the per-request access-log line (default info). */
  accessLogLevel?: "debug" | "info";
  /** The error shape of a path (its API family's); OpenAI's when absent. */
  errorFormat?: (path: string) => ErrorFormat;
  /** Runs before a matched handler; throws an HttpError to refuse (e.g. a drain refusing inference). */
  admit?: (ctx: RequestContext, method: string) => void;
  /** Called once per request when its response closes, with what the access log records (metrics). */
  onDone?: (done: RequestDone) => void;
}

/** One finished request, as the access log sees it. */
export interface RequestDone {
  method: string;
  /** The route pattern, or "unmatched". */
  route: string;
  status: number;
  totalMs: number;
  fields: Readonly<RequestContext["logFields"]>;
}

/**
 * The node:http request listener: request id, routing, OpenAI-shaped errors, and exactly one
 * access-log line per request (ids, status, timings, token counts; never bodies).
 */
export function createRequestListener(deps: ListenerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { router, logger, newRequestId, now } = deps;
  const hrNow = deps.hrNow ?? (() => performance.now());
  const access: Logger["info"] = deps.accessLogLevel === "debug" ? (m, f) => logger.debug(m, f) : (m, f) => logger.info(m, f);
  return (req, res) => {
    const timing = new RequestTiming(hrNow);
    const startedAt = now();
    const requestId = pickRequestId(req.headers["x-request-id"], newRequestId);
    res.setHeader("x-request-id", requestId);
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : rawUrl.slice(q + 1));
    const method = req.method ?? "GET";
    const match = router.match(method, path);
    const params = match.kind === "found" ? match.params : {};
    const ctx: RequestContext = { req, res, path, query, params, requestId, startedAt, timing, logFields: {} };

    res.once("close", () => {
      const status = Number(ctx.logFields.status ?? (res.writableFinished ? res.statusCode : 499));
      const route = match.kind === "found" ? match.route : "unmatched";
      const totalMs = now() - startedAt;
      access("request", {
        request_id: requestId,
        method,
        route,
        ...ctx.logFields,
        status,
        total_ms: totalMs,
        timing: timing.active ? timing.compact() : undefined,
      });
      if (deps.onDone) {
        try {
          deps.onDone({ method, route, status, totalMs, fields: ctx.logFields });
        } catch (err) {
          logger.error("request observer threw", { request_id: requestId, ...errorFields(err) });
        }
      }
    });

    const format = deps.errorFormat?.(path) ?? "openai";
    const fail = (err: unknown) => {
      if (timing.active) timing.applyTo(res);
      if (err instanceof HttpError) {
        if (err.code !== null) ctx.logFields.error_code ??= err.code;
        sendError(res, err, format);
        return;
      }
      logger.error("handler failed", { request_id: requestId, ...errorFields(err) });
      sendError(res, new HttpError(500, "Internal error.", "internal_error"), format);
    };

    if (match.kind === "none") return fail(new HttpError(404, `No route for ${method} ${path}.`, "unknown_route"));
    if (match.kind === "method") {
      return fail(new HttpError(405, `Method ${method} not allowed.`, "method_not_allowed", null, { allow: match.allowed.join(", ") }));
    }
    try {
      deps.admit?.(ctx, method);
      const out = match.handler(ctx);
      if (out) out.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
