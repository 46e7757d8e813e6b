import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body exceeds ${limit} bytes.`, "request_too_large", null, {}, true);
}

/**
 * Reads the whole body, refusing early when Content-Length already exceeds `limit` and stopping
 * as soon as the streamed bytes do. The caller closes the connection on 413 (the rest is unread).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      req.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onAborted);
      if (err) reject(err);
      else resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(tooLarge(limit));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new HttpError(400, "Request body was not completely received.", "incomplete_body"));
    req.on("data", onData).on("end", onEnd).on("error", onError).on("aborted", onAborted);
  });
}

/** Parses a JSON body; a syntax error is a 400 in the API's shape, never echoing the body. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, "Request body is empty; expected JSON.", "invalid_json");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "Request body is not valid JSON.", "invalid_json");
  }
}

export async function readJson(req: IncomingMessage, limit: number): Promise<{ raw: Buffer; value: unknown }> {
  const raw = await readBody(req, limit);
  return { raw, value: parseJson(raw) };
}
