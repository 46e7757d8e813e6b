import assert from "node:assert/strict";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { systemClock } from "../runtime/index.js";
import { ConsumerStream } from "./consumer-stream.js";

const PIECES: (string | Uint8Array)[] = ["event: a\n\n", "", "ünïcode ✓\n\n", new Uint8Array(0), new TextEncoder().encode("bytes\n\n"), "x".repeat(70_000)];
let server: Server;
let port: number;

before(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const stream = new ConsumerStream(res, { clock: systemClock, maxBufferedChunks: 1_000, graceMs: 1_000, onOverflow: () => {} });
    for (const p of PIECES) stream.write(p);
    setTimeout(() => {
      stream.write("late\n\n");
      stream.end();
    }, 5);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const expected = PIECES.map((p) => (typeof p === "string" ? p : new TextDecoder().decode(p))).join("") + "late\n\n";

function get(agent: Agent): Promise<{ body: string; socket: unknown; chunked: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ body, socket: req.socket, chunked: res.headers["transfer-encoding"] === "chunked" }));
    });
    req.on("error", reject).end();
  });
}

describe("ConsumerStream", () => {
  it("writes a valid chunked body (strings, bytes, empty pieces) that keep-alive can reuse", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const a = await get(agent);
    const b = await get(agent);
    agent.destroy();
    assert.equal(a.chunked, true);
    assert.equal(a.body, expected);
    assert.equal(b.body, expected);
    assert.equal(a.socket, b.socket, "the connection was reused, so the body was framed correctly");
  });

  it("reads the same through fetch", async () => {
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), expected);
  });
});
