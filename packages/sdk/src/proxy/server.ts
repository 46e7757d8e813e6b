import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { privateFetch } from "../private-fetch.js";
import { NoTrustedProviderError } from "../trust/index.js";
import type { ReceiptMismatchError } from "../receipts/index.js";
import { resolveEndpoints } from "../endpoints.js";
import {
  DEFAULT_PROXY_HOST,
  DEFAULT_PROXY_MAX_BODY_BYTES,
  DEFAULT_PROXY_PORT,
  coordinatorRoot,
  type PrivateProxyOptions,
} from "./options.js";
import { BodyTooLarge, hostAllowed, readBody, upstreamHeaders } from "./request.js";
import { sendError, sendResponse } from "./respond.js";

export interface PrivateProxy {
  /** http://host:port — the Anthropic client's base URL; add `/v1` for the openai client. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The proxy's default report of a refused receipt: which provider, why, and the numbers. */
function warnReceiptMismatch(err: ReceiptMismatchError): void {
  const numbers = err.claimed !== undefined ? ` claimed=${err.claimed} allowed=${err.allowed}` : "";
  process.stderr.write(`darkbloom proxy: usage receipt refused (provider ${err.providerId ?? "?"}, ${err.reason}${numbers}); disputing\n`);
}

/**
 * The consumer's private proxy: an OpenAI- and Anthropic-compatible HTTP server that forwards every
 * inference endpoint through {@link privateFetch} (sealed to attested providers, the reply stream
 * verified and decrypted here, each chunk written to the client as soon as it is unsealed) and
 * passes other GET requests (e.g. `/v1/models`, `/health`) through. The proxy holds the API key:
 * clients need not authenticate, which is why it binds to loopback by default and answers only
 * requests addressed to a loopback name (DNS rebinding). Other methods are refused rather than
 * forwarded with the held key.
 */
export async function startPrivateProxy(opts: PrivateProxyOptions): Promise<PrivateProxy> {
  const root = coordinatorRoot(opts.coordinator);
  const host = opts.host ?? DEFAULT_PROXY_HOST;
  const limit = opts.maxBodyBytes ?? DEFAULT_PROXY_MAX_BODY_BYTES;
  const pf = privateFetch({
    baseURL: root,
    apiKey: opts.apiKey,
    ...(opts.fetch !== undefined && { fetch: opts.fetch }),
    ...(opts.maxRecipients !== undefined && { maxRecipients: opts.maxRecipients }),
    ...(opts.minTrust !== undefined && { minTrust: opts.minTrust }),
    ...(opts.pinnedIdentityKeys !== undefined && { pinnedIdentityKeys: opts.pinnedIdentityKeys }),
    ...(opts.maxAttestationAgeMs !== undefined && { maxAttestationAgeMs: opts.maxAttestationAgeMs }),
    onReceiptMismatch: opts.onReceiptMismatch ?? warnReceiptMismatch,
  });
  const endpoints = resolveEndpoints(root);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = new URL(req.url ?? "/", "http://proxy.invalid");
    const path = target.pathname;
    if (!hostAllowed(req.headers.host, host)) {
      sendError(res, path, 403, { message: "the private proxy only answers requests addressed to it by a loopback name", type: "permission_error", code: "host_not_allowed" });
      return;
    }
    const upstreamUrl = `${root}${path}${target.search}`;
    const method = (req.method ?? "GET").toUpperCase();
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    if (method === "POST" && endpoints.kindOf(upstreamUrl) !== undefined) {
      let body: Buffer;
      try {
        body = await readBody(req, limit);
      } catch (err) {
        if (err instanceof BodyTooLarge) sendError(res, path, 413, { message: err.message, type: "invalid_request_error", code: "request_too_large" }, true);
        else res.destroy();
        return;
      }
      let upstream: Response;
      try {
        upstream = await pf(upstreamUrl, { method: "POST", headers: upstreamHeaders(req, opts.apiKey), body: body.toString("utf8"), signal: abort.signal });
      } catch (err) {
        if (!(err instanceof NoTrustedProviderError)) throw err;
        sendError(res, path, 503, { message: err.message, type: "service_unavailable", code: err.code });
        return;
      }
      await sendResponse(res, upstream);
      return;
    }
    if (method === "GET" || method === "HEAD") {
      const upstream = await (opts.fetch ?? globalThis.fetch)(upstreamUrl, { method, headers: upstreamHeaders(req, opts.apiKey), signal: abort.signal });
      await sendResponse(res, upstream);
      return;
    }
    req.resume();
    sendError(res, path, 404, { message: `${method} ${path} is not available through the private proxy`, type: "invalid_request_error", code: "not_found" });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const path = new URL(req.url ?? "/", "http://proxy.invalid").pathname;
      if (abortedBy(err)) {
        res.destroy();
        return;
      }
      sendError(res, path, 502, { message: `coordinator unreachable: ${(err as Error).message}`, type: "api_error", code: "upstream_unreachable" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? DEFAULT_PROXY_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function abortedBy(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
}
