// Test helpers (not exported from the package): a raw TCP HTTP client that can misbehave.
import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses the first HTTP/1.1 response in `data` (Content-Length bodies only). */
export function parseResponse(data: string): RawResponse | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine, ...lines] = data.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(":");
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers["content-length"] ?? 0);
  return { status, headers, body: data.slice(end + 4, end + 4 + len) };
}

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server has sent a complete response (Content-Length framed). */
  response(deadlineMs?: number): Promise<RawResponse>;
  /** Resolves with everything received once the connection is closed; rejects at the deadline. */
  closed(deadlineMs?: number): Promise<string>;
}

/** Opens a TCP connection to 127.0.0.1:`port` (optionally from `localAddress`). */
export function rawConnect(port: number, localAddress?: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", ...(localAddress && { localAddress }) });
    let data = "";
    let isClosed = false;
    const waiters = new Set<() => void>();
    const poke = () => waiters.forEach((w) => w());
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      data += d;
      poke();
    });
    socket.on("error", () => {}); // a reset after the answer is expected in some tests
    socket.on("close", () => {
      isClosed = true;
      poke();
    });
    const until = <T>(check: () => T | undefined, deadlineMs: number, what: string) =>
      new Promise<T>((res, rej) => {
        const tryNow = () => {
          const v = check();
          if (v === undefined) return false;
          waiters.delete(tryNow);
          clearTimeout(timer);
          res(v);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(tryNow);
          socket.destroy();
          rej(new Error(`deadline: ${what} within ${deadlineMs} ms (received ${JSON.stringify(data.slice(0, 200))})`));
        }, deadlineMs);
        if (!tryNow()) waiters.add(tryNow);
      });
    socket.once("connect", () =>
      resolve({
        socket,
        received: () => data,
        response: (deadlineMs = 10_000) =>
          until(
            () => {
              const r = parseResponse(data);
              return r && r.body.length === Number(r.headers["content-length"] ?? 0) ? r : undefined;
            },
            deadlineMs,
            "a complete response",
          ),
        closed: (deadlineMs = 10_000) => until(() => (isClosed ? data : undefined), deadlineMs, "the connection closed"),
      }),
    );
    socket.once("error", reject);
  });
}

/** Writes `chunk` as fast as the socket drains until the socket closes. */
export function flood(socket: Socket, chunk: Buffer): void {
  const pump = () => {
    while (!socket.destroyed && socket.writable) if (!socket.write(chunk)) return;
  };
  socket.on("drain", pump);
  pump();
}

/** Writes one byte every `everyMs` until the socket closes. */
export function trickle(socket: Socket, everyMs: number): void {
  const t = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(t);
    else socket.write("a");
  }, everyMs);
  socket.once("close", () => clearInterval(t));
}
