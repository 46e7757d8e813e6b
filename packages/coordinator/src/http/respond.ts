import type { ServerResponse } from "node:http";
import type { ErrorFormat } from "@darkbloom/protocol";
import { closeAfterResponse } from "./connections/index.js";
import { HttpError } from "./errors.js";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRawJson(res, status, JSON.stringify(body), headers);
}

/** Sends an already-serialized JSON body (e.g. bytes the provider produced). */
export function sendRawJson(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  const len = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": String(len) });
  res.end(body);
}

/**
 * Answers with an error. When the request body is not (completely) received yet — e.g. a 401
 * decided from the headers — or the error asks for it, the connection closes after the answer
 * instead of reading the rest of the body to keep it alive.
 */
export function sendError(res: ServerResponse, err: HttpError, format: ErrorFormat = "openai"): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.closeConnection || !res.req.complete) closeAfterResponse(res);
  sendRawJson(res, err.status, err.body(format), err.headers);
}
