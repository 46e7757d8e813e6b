import type { ServerResponse } from "node:http";
import { anthropicTypeFromOpenAI } from "@darkbloom/protocol";
import type { ErrorInfo } from "../http.js";

/** Response headers not copied onto the client's response (fetch already decoded the body). */
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "set-cookie"]);

/** Errors in the family's shape: Anthropic's under /v1/messages, OpenAI's elsewhere. */
export function isAnthropicPath(pathname: string): boolean {
  return /^\/v1\/messages(\/|$)/.test(pathname);
}

export function sendError(res: ServerResponse, pathname: string, status: number, err: ErrorInfo, close = false): void {
  const body = isAnthropicPath(pathname)
    ? { type: "error", error: { type: anthropicTypeFromOpenAI(err.type), message: err.message } }
    : { error: { message: err.message, type: err.type, code: err.code ?? null, param: err.param ?? null } };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (close) headers.connection = "close";
  res.writeHead(status, headers).end(JSON.stringify(body));
}

/**
 * Writes a fetch Response to the client: status, headers, then each body chunk as soon as it is
 * available (the decrypted stream is never buffered). Stops reading when the client goes away.
 */
export async function sendResponse(res: ServerResponse, upstream: Response): Promise<void> {
  const headers: Record<string, string> = {};
  upstream.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name)) headers[name] = value;
  });
  res.writeHead(upstream.status, headers);
  res.flushHeaders();
  if (!upstream.body) {
    res.end();
    return;
  }
  const reader = upstream.body.getReader();
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.once("drain", done);
        res.once("close", done);
      });
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}
