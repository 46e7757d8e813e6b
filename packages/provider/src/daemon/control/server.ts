import { chmod, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { ControlRequestSchema, MAX_CONTROL_LINE, type ControlRequest, type ControlResponse } from "./messages.js";

export type ControlHandler = (req: ControlRequest) => Promise<ControlResponse>;

function serve(socket: Socket, handle: ControlHandler): void {
  let buf = "";
  socket.setEncoding("utf8");
  socket.setTimeout(30_000, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  const reply = (res: ControlResponse) => socket.end(`${JSON.stringify(res)}\n`);
  socket.on("data", (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_CONTROL_LINE) return reply({ ok: false, error: "request too large" });
    const nl = buf.indexOf("\n");
    if (nl < 0) return;
    socket.removeAllListeners("data");
    let req: ControlRequest;
    try {
      req = ControlRequestSchema.parse(JSON.parse(buf.slice(0, nl)));
    } catch {
      return reply({ ok: false, error: "bad control request" });
    }
    handle(req).then(reply, (err: Error) => reply({ ok: false, error: err.message }));
  });
}

/**
 * Serves the control socket at `path` (a Unix socket, mode 0600: only this user may ask). A
 * leftover socket file from a dead daemon is removed first; the caller holds the pid file, so no
 * live daemon owns it.
 */
export async function startControlServer(path: string, handle: ControlHandler): Promise<{ close(): Promise<void> }> {
  await rm(path, { force: true });
  const server: Server = createServer((s) => serve(s, handle));
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  await chmod(path, 0o600);
  return {
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(path, { force: true });
    },
  };
}
