import type { IncomingMessage } from "node:http";

/** Request headers never forwarded upstream: hop-by-hop, the client's credentials, framing. */
const DROPPED_REQUEST_HEADERS = new Set([
  "authorization",
  "x-api-key",
  "host",
  "connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "expect",
  "cookie",
  "origin",
  "referer",
]);

/** The client's headers minus the dropped ones, with the proxy's own key. */
export function upstreamHeaders(req: IncomingMessage, apiKey: string): Headers {
  const h = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name)) continue;
    h.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  h.set("authorization", `Bearer ${apiKey}`);
  return h;
}

export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
  constructor(readonly limit: number) {
    super(`Request body exceeds ${limit} bytes.`);
  }
}

/** Reads the whole request body, refusing (from Content-Length or as it streams) past `limit`. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * Whether the Host header names this proxy: a loopback name, or the address it is bound to. Refusing
 * other names defeats DNS rebinding (a web page whose name resolves to 127.0.0.1 must not be able to
 * use the key the proxy holds).
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (hostHeader === undefined) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  if (!m) return false;
  const name = m[1]!;
  if (LOOPBACK_NAMES.has(name)) return true;
  const bound = boundHost.toLowerCase();
  if (bound === "0.0.0.0" || bound === "::") return true;
  return name === bound || name === `[${bound}]`;
}
