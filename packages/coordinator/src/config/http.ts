import { z } from "zod";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Levels the per-request access log line may use (`debug` hides it at the default log level). */
export const ACCESS_LOG_LEVELS = ["debug", "info"] as const;
export type AccessLogLevel = (typeof ACCESS_LOG_LEVELS)[number];

/**
 * HTTP server limits against slow or piled-up connections. The header and body timeouts cover
 * receiving a request only: once its body is read they stop, so a streamed response is bounded by
 * the relay's own deadlines, not by these.
 */
export const HTTP_FIELDS = {
  /** Time to receive a request's headers, from its first byte. */
  httpHeadersTimeoutMs: int(100, 600_000).default(20_000),
  /** Time to receive a whole request (headers and body), from its first byte. */
  httpBodyTimeoutMs: int(100, 3_600_000).default(60_000),
  /** Longest silence while a request is being received. */
  httpIdleTimeoutMs: int(100, 600_000).default(15_000),
  /** How long an idle kept-alive connection waits for its next request. */
  httpKeepAliveTimeoutMs: int(100, 600_000).default(5_000),
  /** Open connections (WebSocket upgrades included) one remote address may hold; more are refused with 429. */
  maxConnectionsPerIp: int(1, 1_000_000).default(256),
  accessLogLevel: z.enum(ACCESS_LOG_LEVELS).default("info"),
};

export type HttpSettings = { [K in keyof typeof HTTP_FIELDS]: z.output<(typeof HTTP_FIELDS)[K]> };

export const HTTP_ENV_NAMES: Record<keyof HttpSettings, string> = {
  httpHeadersTimeoutMs: "DARKBLOOM_HTTP_HEADERS_TIMEOUT_MS",
  httpBodyTimeoutMs: "DARKBLOOM_HTTP_BODY_TIMEOUT_MS",
  httpIdleTimeoutMs: "DARKBLOOM_HTTP_IDLE_TIMEOUT_MS",
  httpKeepAliveTimeoutMs: "DARKBLOOM_HTTP_KEEP_ALIVE_TIMEOUT_MS",
  maxConnectionsPerIp: "DARKBLOOM_MAX_CONNECTIONS_PER_IP",
  accessLogLevel: "DARKBLOOM_ACCESS_LOG_LEVEL",
};

/** Cross-field rules of the HTTP limits; each names the setting to change. */
export function checkHttpRelations(c: HttpSettings): { key: keyof HttpSettings; message: string }[] {
  const out: { key: keyof HttpSettings; message: string }[] = [];
  if (c.httpHeadersTimeoutMs > c.httpBodyTimeoutMs) {
    out.push({
      key: "httpHeadersTimeoutMs",
      message: `(${c.httpHeadersTimeoutMs} ms) must not exceed the body timeout (${c.httpBodyTimeoutMs} ms): the headers are part of the request`,
    });
  }
  if (c.httpIdleTimeoutMs >= c.httpBodyTimeoutMs) {
    out.push({
      key: "httpIdleTimeoutMs",
      message: `(${c.httpIdleTimeoutMs} ms) must be shorter than the body timeout (${c.httpBodyTimeoutMs} ms), else it never fires`,
    });
  }
  if (c.httpKeepAliveTimeoutMs >= c.httpHeadersTimeoutMs) {
    out.push({
      key: "httpKeepAliveTimeoutMs",
      message: `(${c.httpKeepAliveTimeoutMs} ms) must be shorter than the headers timeout (${c.httpHeadersTimeoutMs} ms): an idle kept-alive connection gets no longer than a new one`,
    });
  }
  return out;
}
