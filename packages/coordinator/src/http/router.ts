import type { IncomingMessage, ServerResponse } from "node:http";
import type { LogValue } from "../log/index.js";
import type { RequestTiming } from "./timing.js";
import { compilePattern, isPattern, type CompiledPattern } from "./route-pattern.js";

/** What a handler gets: the raw request/response plus per-request facts for the access log. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Values of the route's `:name` / `*name` segments, percent-decoded (empty for exact routes). */
  readonly params: Readonly<Record<string, string>>;
  /** Public id: echoed in X-Request-Id and logged. */
  readonly requestId: string;
  readonly startedAt: number;
  /** Phase durations for Server-Timing / X-Timing and the access log. */
  readonly timing: RequestTiming;
  /** Route-specific access-log fields (model, provider_id, privacy, ttft_ms, tokens…). Ids and numbers only. */
  readonly logFields: Record<string, LogValue>;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export type RouteMatch =
  | { kind: "found"; route: string; handler: Handler; params: Record<string, string> }
  | { kind: "method"; allowed: string[] }
  | { kind: "none" };

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Exact paths are a Map lookup. Paths with `:name` (one segment) or `*name` (the rest, slashes
 * included) are tried in registration order only when no exact path matches, so an exact route
 * such as `/v1/models/capacity` always wins over `/v1/models/*id`. `route` (logged) is the
 * pattern, never the concrete path.
 */
export class Router {
  private readonly routes = new Map<string, Map<string, Handler>>();
  private readonly patterns: { pattern: CompiledPattern; byMethod: Map<string, Handler> }[] = [];

  on(method: string, path: string, handler: Handler): this {
    let byMethod: Map<string, Handler> | undefined;
    if (isPattern(path)) {
      byMethod = this.patterns.find((p) => p.pattern.source === path)?.byMethod;
      if (!byMethod) {
        byMethod = new Map();
        this.patterns.push({ pattern: compilePattern(path), byMethod });
      }
    } else {
      byMethod = this.routes.get(path);
      if (!byMethod) {
        byMethod = new Map();
        this.routes.set(path, byMethod);
      }
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

  patch(path: string, handler: Handler): this {
    return this.on("PATCH", path, handler);
  }

  delete(path: string, handler: Handler): this {
    return this.on("DELETE", path, handler);
  }

  match(method: string, path: string): RouteMatch {
    const clean = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    const exact = this.routes.get(clean);
    if (exact) return pick(exact, method, path, NO_PARAMS);
    let allowed: string[] | undefined;
    for (const { pattern, byMethod } of this.patterns) {
      const params = pattern.match(clean);
      if (!params) continue;
      const found = pick(byMethod, method, pattern.source, params);
      if (found.kind === "found") return found;
      allowed ??= found.kind === "method" ? found.allowed : undefined;
    }
    return allowed ? { kind: "method", allowed } : { kind: "none" };
  }
}

function pick(byMethod: Map<string, Handler>, method: string, route: string, params: Record<string, string>): RouteMatch {
  const handler = byMethod.get(method) ?? (method === "HEAD" ? byMethod.get("GET") : undefined);
  if (handler) return { kind: "found", route, handler, params };
  return { kind: "method", allowed: [...byMethod.keys()] };
}
