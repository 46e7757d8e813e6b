import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** How long a connection we are closing keeps draining what the client still sends. */
export const LINGER_MS = 2_000;

/**
 * Closes a connection without resetting it under the client: send FIN after what is queued,
 * discard anything the client still sends (a body we will not read) for at most `lingerMs`, then
 * destroy. Destroying at once with unread input makes the kernel answer with a reset, which can
 * reach the client before it has read our answer.
 */
export function lingerClose(socket: Socket, lingerMs: number = LINGER_MS): void {
  if (socket.destroyed) return;
  socket.on("error", () => {}); // the client may reset first; nothing to do about it
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  socket.once("end", () => socket.destroy());
  socket.end();
  socket.resume();
}

/**
 * Marks a response as the last on its connection (`Connection: close`) and makes node's HTTP
 * server close that connection with `lingerClose` once the response is flushed, instead of
 * destroying it outright (node closes a `Connection: close` socket through `destroySoon()`). The
 * rest of an unread request body is then never read beyond the linger.
 */
export function closeAfterResponse(res: ServerResponse, lingerMs: number = LINGER_MS): void {
  if (!res.headersSent) res.setHeader("connection", "close");
  const hook = (socket: Socket) => {
    socket.destroySoon = () => lingerClose(socket, lingerMs);
  };
  if (res.socket) hook(res.socket);
  else res.once("socket", hook);
}
