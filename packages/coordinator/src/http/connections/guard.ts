import type { IncomingMessage, RequestListener, Server, ServerOptions, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { openAIError } from "@darkbloom/protocol";
import type { HttpSettings } from "../../config/http.js";
import type { Logger } from "../../log/index.js";
import { LINGER_MS, lingerClose } from "./linger.js";
import { AddressCounter, normalizeAddress } from "./per-address.js";
import { RefusalLog } from "./refusal-log.js";

export interface HttpLimits {
  /** Time to receive a request's headers, from its first byte. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, from its first byte; ends once the body is read. */
  bodyTimeoutMs: number;
  /** Longest silence while a request is being received. */
  idleTimeoutMs: number;
  /** An idle kept-alive connection waits this long for its next request. */
  keepAliveTimeoutMs: number;
  maxConnectionsPerIp: number;
  /** Draining time of a connection we close with unread input (default 2 s). */
  lingerMs?: number;
  /** At most one refusal log line per this period (default 10 s). */
  refusalLogIntervalMs?: number;
}

/** The limits from the coordinator's settings (`DARKBLOOM_HTTP_*`, `DARKBLOOM_MAX_CONNECTIONS_PER_IP`). */
export function httpLimitsFrom(s: HttpSettings): HttpLimits {
  return {
    headersTimeoutMs: s.httpHeadersTimeoutMs,
    bodyTimeoutMs: s.httpBodyTimeoutMs,
    idleTimeoutMs: s.httpIdleTimeoutMs,
    keepAliveTimeoutMs: s.httpKeepAliveTimeoutMs,
    maxConnectionsPerIp: s.maxConnectionsPerIp,
  };
}

function rawResponse(status: number, reason: string, message: string, code: string): Buffer {
  const body = JSON.stringify(openAIError(status, message, code, null));
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Retry-After: 1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const TOO_MANY_CONNECTIONS = rawResponse(
  429,
  "Too Many Requests",
  "Too many open connections from your address; close some or reuse them, then retry.",
  "too_many_connections",
);
const REQUEST_TIMEOUT = Buffer.from("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Keeps slow and piled-up connections from exhausting the server:
 * - header and whole-request (body) timeouts, enforced by node's HTTP server; both end once the
 *   request is received, so a long streamed response is not cut by them;
 * - an idle timeout while a request is received (and the keep-alive timeout between requests);
 *   a connection whose request is complete and whose response is still being produced or
 *   streamed is left alone;
 * - a cap on open connections per remote address (WebSocket upgrades included): the excess
 *   gets a 429 and is closed at once, counted in the log at a bounded rate.
 */
export class HttpGuard {
  private readonly counter: AddressCounter;
  private readonly refusals: RefusalLog;
  private readonly inFlight = new WeakMap<Socket, Exchange>();
  private readonly lingerMs: number;

  constructor(
    private readonly limits: HttpLimits,
    logger: Logger,
  ) {
    this.counter = new AddressCounter(limits.maxConnectionsPerIp);
    this.refusals = new RefusalLog(logger, { max_connections_per_ip: limits.maxConnectionsPerIp }, limits.refusalLogIntervalMs);
    this.lingerMs = limits.lingerMs ?? LINGER_MS;
  }

  /** Options for `createServer` (node checks the header/body deadlines every `connectionsCheckingInterval`). */
  serverOptions(): ServerOptions {
    const { headersTimeoutMs, bodyTimeoutMs, keepAliveTimeoutMs } = this.limits;
    return {
      keepAlive: true,
      keepAliveInitialDelay: 30_000,
      headersTimeout: headersTimeoutMs,
      requestTimeout: bodyTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(Math.min(headersTimeoutMs, bodyTimeoutMs) / 4))),
    };
  }

  /** Installs the per-address cap and the idle timeout on `server`. */
  attach(server: Server): void {
    server.prependListener("connection", (socket: Socket) => this.onConnection(socket));
    server.timeout = this.limits.idleTimeoutMs;
    server.on("timeout", (socket: Socket) => this.onTimeout(socket));
  }

  /** Wraps the request listener: tracks the exchange in flight and ignores requests on a closing connection. */
  wrap(listener: RequestListener): RequestListener {
    return (req, res) => {
      const socket = req.socket;
      if (!socket.writable) {
        // Refused or already answered with `Connection: close`: nothing more is served here.
        req.resume();
        return;
      }
      this.inFlight.set(socket, { req, res });
      res.once("close", () => {
        if (this.inFlight.get(socket)?.res === res) this.inFlight.delete(socket);
      });
      listener(req, res);
    };
  }

  /** Connections currently counted for `address`. */
  openFrom(address: string): number {
    return this.counter.count(normalizeAddress(address) ?? address);
  }

  get refusedTotal(): number {
    return this.refusals.total;
  }

  /** Logs any pending refusal count. */
  close(): void {
    this.refusals.close();
  }

  private onConnection(socket: Socket): void {
    const address = normalizeAddress(socket.remoteAddress);
    if (address === undefined) {
      socket.destroy(); // already gone
      return;
    }
    if (!this.counter.admit(address)) {
      this.refusals.record(address);
      socket.on("error", () => {});
      socket.write(TOO_MANY_CONNECTIONS);
      lingerClose(socket, this.lingerMs);
      return;
    }
    socket.once("close", () => this.counter.release(address));
  }

  private onTimeout(socket: Socket): void {
    const current = this.inFlight.get(socket);
    // The request is in and the response is being produced or streamed: the relay's deadlines bound it.
    if (current && current.req.complete && !current.res.writableEnded) return;
    if (current && !current.res.headersSent && socket.writable) socket.write(REQUEST_TIMEOUT);
    socket.destroy();
  }
}
