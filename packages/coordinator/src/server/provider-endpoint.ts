import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { MAX_FRAME_BYTES } from "@darkbloom/protocol";
import { attachProviderSocket, CLOSE_GOING_AWAY, type ProviderSocketDeps } from "../ws/index.js";
import type { BearerAccount } from "../ws/registration/index.js";
import { presentedAccountToken } from "../api/device/index.js";
import { providerAuthorizer, unauthorizedUpgradeResponse, type AuthVerdict, type ProviderAdmission } from "./provider-auth.js";

export const PROVIDER_WS_PATH = "/ws/provider";

/**
 * Accepts provider WebSockets on GET /ws/provider that carry a provider account token (device
 * login: the connection is linked to that account) or the enrollment token (401 otherwise, unless
 * registration is open); every other upgrade is refused.
 */
export class ProviderEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly authorize: (authorization: string | undefined) => AuthVerdict;
  private accepting = true;

  constructor(
    server: Server,
    private readonly deps: ProviderSocketDeps,
    admission: ProviderAdmission,
    /** A provider account token's owner (hashed lookup), or null when it is not live. */
    private readonly resolveBearerAccount?: (token: string) => Promise<BearerAccount | null>,
  ) {
    this.authorize = providerAuthorizer(admission);
    server.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  get connections(): number {
    return this.wss.clients.size;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== PROVIDER_WS_PATH || !this.accepting) {
      const status = this.accepting ? "404 Not Found" : "503 Service Unavailable";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const remote = req.socket.remoteAddress ?? "unknown";
    const accountToken = this.resolveBearerAccount && presentedAccountToken(req.headers.authorization);
    if (accountToken) {
      this.resolveBearerAccount!(accountToken).then(
        (owner) => {
          if (!owner) {
            this.deps.logger.warn("provider upgrade refused", { remote, reason: "account token not valid" });
            socket.end(unauthorizedUpgradeResponse("account_token"));
          } else if (!this.accepting || socket.destroyed) socket.destroy();
          else this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => attachProviderSocket(ws, remote, this.deps, owner));
        },
        (err: unknown) => {
          this.deps.logger.error("provider account token lookup failed", { remote, error: err instanceof Error ? err.message : String(err) });
          socket.end("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        },
      );
      return;
    }
    const verdict = this.authorize(req.headers.authorization);
    if (verdict !== "ok") {
      this.deps.logger.warn("provider upgrade refused", { remote, reason: verdict === "missing" ? "no enrollment token" : "wrong enrollment token" });
      socket.end(unauthorizedUpgradeResponse(verdict));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => attachProviderSocket(ws, remote, this.deps));
  }

  /** Stops new connections; existing ones stay until `closeAll`. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Closes every provider socket with 1001 and waits (bounded) for them to go. */
  async closeAll(timeoutMs: number): Promise<void> {
    const clients = [...this.wss.clients];
    await Promise.all(
      clients.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const t = setTimeout(() => {
              ws.terminate();
              resolve();
            }, timeoutMs);
            ws.once("close", () => {
              clearTimeout(t);
              resolve();
            });
            ws.close(CLOSE_GOING_AWAY, "coordinator shutting down");
          }),
      ),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
