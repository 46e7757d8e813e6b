import type { IncomingMessage } from "node:http";
import { PERMANENT_CLOSE_CODES } from "@darkbloom/protocol";

/** The coordinator turned this provider away for a reason retrying cannot fix. */
export interface Refusal {
  /** One line for the operator: what happened and what to do. */
  message: string;
  /** HTTP status of a refused upgrade, or the WebSocket close code. */
  status?: number;
  closeCode?: number;
}

const MAX_BODY_BYTES = 8 * 1024;

/** Reads (at most 8 KiB of) a refused upgrade's body and pulls out its OpenAI-style error message. */
export function readRefusalMessage(res: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => finish(), 5_000);
    timer.unref();
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      res.removeAllListeners("data");
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: { message?: unknown } };
        resolve(typeof body.error?.message === "string" ? body.error.message.slice(0, 512) : undefined);
      } catch {
        resolve(undefined);
      }
    };
    res.on("data", (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size > MAX_BODY_BYTES) finish();
    });
    res.once("end", finish);
    res.once("error", finish);
    res.once("aborted", finish);
  });
}

/** A refused upgrade that retrying cannot fix (wrong or missing enrollment token), else undefined. */
export function upgradeRefusal(status: number, serverMessage: string | undefined): Refusal | undefined {
  if (status !== 401 && status !== 403) return undefined;
  // An account token the coordinator refused says so itself ("run `darkbloom login` again").
  const hint = serverMessage?.includes("darkbloom login") ? "" : "; set DARKBLOOM_PROVIDER_TOKEN (or --token) to the coordinator's provider enrollment token, or run `darkbloom login`";
  return { status, message: `the coordinator refused registration (HTTP ${status}): ${serverMessage ?? "not authorized"}${hint}` };
}

/** A close that retrying cannot fix (e.g. unsupported protocol version), else undefined. */
export function closeRefusal(code: number, reason: string): Refusal | undefined {
  if (!PERMANENT_CLOSE_CODES.has(code)) return undefined;
  return { closeCode: code, message: `the coordinator refused this provider: ${reason || `close code ${code}`}` };
}
