import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join, normalize, resolve, sep } from "node:path";
import { Transform } from "node:stream";

/** A request the file server saw: its path and the first byte it asked for (0 without Range). */
export interface FileRequest {
  path: string;
  start: number;
  status: number;
}

export interface RunningFileServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  requests: FileRequest[];
  /** The next GET of `path` sends its headers and `bytes` body bytes, then the connection is cut. */
  cutNext(path: string, bytes: number): void;
  /** The next GET of `path` sends the file with one byte flipped (same size). */
  corruptNext(path: string): void;
  close(): Promise<void>;
}

/**
 * A static file server on loopback for download tests: serves `root` with `Range: bytes=N-`
 * support (206 + Content-Range, 416 past the end), and injects faults on demand.
 */
export async function startFileServer(rootDir: string): Promise<RunningFileServer> {
  const root = resolve(rootDir);
  const cuts = new Map<string, number>();
  const corrupt = new Set<string>();
  const requests: FileRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      const file = normalize(join(root, urlPath));
      const st = file.startsWith(root + sep) ? await stat(file).catch(() => undefined) : undefined;
      const record = (status: number, start: number) => requests.push({ path: urlPath, start, status });
      if (req.method !== "GET" || !st?.isFile()) {
        record(404, 0);
        res.writeHead(404).end();
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
      const start = m ? Number(m[1]) : 0;
      if (start >= st.size && m) {
        record(416, start);
        res.writeHead(416, { "content-range": `bytes */${st.size}` }).end();
        return;
      }
      const status = m ? 206 : 200;
      record(status, start);
      res.writeHead(status, {
        "content-type": "application/octet-stream",
        "content-length": String(st.size - start),
        "accept-ranges": "bytes",
        ...(m && { "content-range": `bytes ${start}-${st.size - 1}/${st.size}` }),
      });
      const cut = cuts.get(urlPath);
      cuts.delete(urlPath);
      const flip = corrupt.delete(urlPath);
      let sent = 0;
      const fault = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          let out = chunk;
          if (flip && sent === 0 && out.length > 0) {
            out = Buffer.from(out);
            out[out.length - 1] = out[out.length - 1]! ^ 0xff;
          }
          if (cut !== undefined && sent + out.length >= cut) {
            const head = out.subarray(0, cut - sent);
            sent = cut;
            res.write(head, () => req.socket.destroy());
            cb();
            return;
          }
          sent += out.length;
          cb(null, out);
        },
      });
      createReadStream(file, { start }).pipe(fault).pipe(res);
    })().catch(() => res.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    cutNext: (path, bytes) => cuts.set(path, bytes),
    corruptNext: (path) => corrupt.add(path),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
