import { connect } from "node:net";
import { ControlResponseSchema, MAX_CONTROL_LINE, type ControlRequest, type ControlResponse } from "./messages.js";

/** Thrown when no daemon answers on the socket (not running, or a stale socket file). */
export class NotRunningError extends Error {
  override readonly name = "NotRunningError";
}

/** Sends one request over the control socket and reads the answer, within `timeoutMs`. */
export function controlRequest(path: string, req: ControlRequest, timeoutMs = 10_000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buf = "";
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`the daemon did not answer on ${path} within ${timeoutMs} ms`))), timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on("data", (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_CONTROL_LINE) done(() => reject(new Error("control answer too large")));
    });
    socket.on("end", () =>
      done(() => {
        try {
          resolve(ControlResponseSchema.parse(JSON.parse(buf)));
        } catch {
          reject(new Error("the daemon sent a malformed control answer"));
        }
      }),
    );
    socket.on("error", (err: NodeJS.ErrnoException) =>
      done(() => reject(err.code === "ENOENT" || err.code === "ECONNREFUSED" ? new NotRunningError("no darkbloom provider is running") : err)),
    );
  });
}
