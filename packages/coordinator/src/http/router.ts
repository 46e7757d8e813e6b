import type { IncomingMessage, ServerResponse } from "node:http";
import type { LogValue } from "../log/index.js";
import type { RequestTiming } from "./timing.js";

/** What a handler gets: the raw request/response plus per-request facts for the access log. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Public id: echoed in X-Request-Id and logged. */
  readonly requestId: string;
  readonly startedAt: number;
  /** Phase durations for Server-Timing / X-Timing and the access log. */
  readonly timing: RequestTiming;
  /** Route-specific access-log fields (model, provider_id, privacy, ttft_ms, tokens…). Ids and numbers only. */
  readonly logFields: Record<string, LogValue>;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export type RouteMatch = { kind: "found"; route: string; handler: Handler } | { kind: "method"; allowed: string[] } | { kind: "none" };

/** Exact-path routing: a Map lookup per request, no regex scanning on the hot path. */
export class Router {
  private readonly routes = new Map<string, Map<string, Handler>>();

  on(method: string, path: string, handler: Handler): this {
    let byMethod = this.routes.get(path);
    if (!byMethod) {
      byMethod = new Map();
      this.routes.set(path, byMethod);
    }
    byMethod.set(method.toUpperCase(), handler);
    return this;
  }

  get(path: string, handler: Handler): this {
    return this.on("GET", path, handler);
  }

  post(path: string, handler: Handler): this {
    return this.on("POST", path, handler);
  }

  match(method: string, path: string): RouteMatch {
    const byMethod = this.routes.get(path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path);
    if (!byMethod) return { kind: "none" };
    const handler = byMethod.get(method) ?? (method === "HEAD" ? byMethod.get("GET") : undefined);
    if (handler) return { kind: "found", route: path, handler };
    return { kind: "method", allowed: [...byMethod.keys()] };
  }
}
