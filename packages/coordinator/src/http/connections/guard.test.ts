import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { createLogger } from "../../log/index.js";
import { flood, rawConnect, trickle } from "../../test-support/raw-http.js";
import { readJson } from "../body.js";
import { unauthorized } from "../errors.js";
import { createRequestListener } from "../listener.js";
import { sendJson } from "../respond.js";
import { Router } from "../router.js";
import { HttpGuard, type HttpLimits } from "./guard.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Harness {
  port: number;
  base: string;
  guard: HttpGuard;
  server: Server;
  lines: string[];
  pings: number;
}

const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server wired like the coordinator's: guard + request listener + router. */
async function start(limits: HttpLimits, withWebSockets = false): Promise<Harness> {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (l) => void lines.push(l) });
  const h = { lines, pings: 0 } as Harness;
  const router = new Router()
    .get("/ping", (ctx) => {
      h.pings++;
      sendJson(ctx.res, 200, { pong: true });
    })
    .post("/echo", async (ctx) => {
      const { value } = await readJson(ctx.req, 1 << 20);
      sendJson(ctx.res, 200, { keys: Object.keys(value as object) });
    })
    .post("/auth", () => {
      throw unauthorized("Invalid API key.");
    })
    .post("/auth-async", async () => {
      await new Promise((r) => setImmediate(r)); // like requireAuth, which awaits the store
      throw unauthorized("Invalid API key.");
    })
    .post("/stream", async (ctx) => {
      await readJson(ctx.req, 1 << 20);
      // Silent "prefill" and gaps between events, each longer than every request timeout.
      await sleep(700);
      ctx.res.writeHead(200, { "content-type": "text/event-stream" });
      for (const n of [1, 2, 3]) {
        ctx.res.write(`data: ${n}\n\n`);
        await sleep(700);
      }
      ctx.res.end("data: [DONE]\n\n");
    });
  const guard = new HttpGuard(limits, logger);
  let n = 0;
  const listener = createRequestListener({ router, logger, newRequestId: () => `req_guard_${n++}`, now: Date.now });
  const server = createServer(guard.serverOptions(), guard.wrap(listener));
  guard.attach(server);
  if (withWebSockets) {
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on("message", (m) => ws.send(m))));
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return Object.assign(h, { port, base: `http://127.0.0.1:${port}`, guard, server });
}

/** Whether this OS lets us connect from a second loopback address (Linux does), probed on a throwaway server. */
async function secondAddressWorks(): Promise<boolean> {
  const probe = createNetServer((c) => c.destroy());
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  try {
    const c = await rawConnect((probe.address() as AddressInfo).port, "127.0.0.2");
    c.socket.destroy();
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

const relaxed = { headersTimeoutMs: 10_000, bodyTimeoutMs: 20_000, idleTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 };

describe("HTTP guard: timeouts", () => {
  it("cuts off a body trickled one byte at a time at the body timeout", async () => {
    // Bytes arrive more often than the idle timeout, so only the whole-request deadline can end it.
    const h = await start({ headersTimeoutMs: 300, bodyTimeoutMs: 800, idleTimeoutMs: 600, keepAliveTimeoutMs: 200, maxConnectionsPerIp: 100 });
    const c = await rawConnect(h.port);
    c.socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
    trickle(c.socket, 50);
    const data = await c.closed(15_000);
    assert.match(data, /^HTTP\/1\.1 408 /);
  });

  it("cuts off a request that goes silent mid-body at the idle timeout", async () => {
    // The body timeout (60 s) is beyond the test's deadline: only the idle timeout can close it.
    const h = await start({ headersTimeoutMs: 30_000, bodyTimeoutMs: 60_000, idleTimeoutMs: 300, keepAliveTimeoutMs: 200, maxConnectionsPerIp: 100 });
    const c = await rawConnect(h.port);
    c.socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
    const data = await c.closed(15_000);
    assert.match(data, /^HTTP\/1\.1 408 /);
  });

  it("lets a streamed response run past the body, header and idle timeouts once the body is read", async () => {
    const h = await start({ headersTimeoutMs: 200, bodyTimeoutMs: 300, idleTimeoutMs: 250, keepAliveTimeoutMs: 100, maxConnectionsPerIp: 100 });
    const r = await fetch(`${h.base}/stream`, { method: "POST", body: "{}" });
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "data: 1\n\ndata: 2\n\ndata: 3\n\ndata: [DONE]\n\n");
  });
});

describe("HTTP guard: an answer before the body is read", () => {
  it("delivers the 401 intact to a client that keeps sending a large body, then closes", async () => {
    const h = await start({ ...relaxed, maxConnectionsPerIp: 100 });
    const c = await rawConnect(h.port);
    c.socket.write("POST /auth HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Length: 10000000000\r\n\r\n");
    flood(c.socket, Buffer.alloc(16 * 1024, 0x61));
    const res = await c.response(15_000);
    assert.equal(res.status, 401);
    assert.equal(res.headers.connection, "close");
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, "invalid_api_key");
    // The server stops reading and closes while the client is still sending (10 GB declared).
    await c.closed(15_000);
  });

  it("closes after a 401 to a trickled body instead of reading it on", async () => {
    const h = await start({ ...relaxed, maxConnectionsPerIp: 100 });
    const c = await rawConnect(h.port);
    c.socket.write("POST /auth HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{");
    trickle(c.socket, 100);
    const res = await c.response(15_000);
    assert.equal(res.status, 401);
    await c.closed(15_000);
  });

  it("keeps the connection alive after an error when the body was complete", async () => {
    const h = await start({ ...relaxed, maxConnectionsPerIp: 100 });
    const c = await rawConnect(h.port);
    c.socket.write("POST /auth-async HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    const res = await c.response();
    assert.equal(res.status, 401);
    assert.notEqual(res.headers.connection, "close");
    c.socket.destroy();
  });
});

describe("HTTP guard: connections per address", () => {
  it("allows N connections from one address, refuses the next with 429, and admits again when one closes", async () => {
    const h = await start({ ...relaxed, maxConnectionsPerIp: 3, refusalLogIntervalMs: 60_000 });
    const held = await Promise.all([1, 2, 3].map(() => rawConnect(h.port)));
    for (const c of held) {
      c.socket.write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.equal((await c.response()).status, 200);
    }
    assert.equal(h.guard.openFrom("127.0.0.1"), 3);

    const refused = await rawConnect(h.port);
    refused.socket.write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    const data = await refused.closed();
    assert.match(data, /^HTTP\/1\.1 429 /);
    assert.match(data, /too_many_connections/);
    assert.equal(h.pings, 3, "a request on a refused connection is never served");

    held[0]!.socket.destroy();
    await held[0]!.closed();
    const deadline = Date.now() + 10_000;
    while (h.guard.openFrom("127.0.0.1") > 2) {
      assert.ok(Date.now() < deadline, "the server never saw the close");
      await sleep(10);
    }
    const again = await rawConnect(h.port);
    again.socket.write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal((await again.response()).status, 200);
    for (const c of [...held, again]) c.socket.destroy();
  });

  it("serves another address while one is at its cap", async (t) => {
    const h = await start({ ...relaxed, maxConnectionsPerIp: 1 });
    if (!(await secondAddressWorks())) return t.skip("this OS cannot connect from 127.0.0.2");
    const held = await rawConnect(h.port);
    held.socket.write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal((await held.response()).status, 200);
    assert.match(await (await rawConnect(h.port)).closed(), /^HTTP\/1\.1 429 /);
    const other = await rawConnect(h.port, "127.0.0.2");
    other.socket.write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal((await other.response()).status, 200, "another address is not affected");
    held.socket.destroy();
    other.socket.destroy();
  });

  it("logs refusals at a bounded rate with their count", async () => {
    const h = await start({ ...relaxed, maxConnectionsPerIp: 1, refusalLogIntervalMs: 60_000 });
    const held = await rawConnect(h.port);
    for (let i = 0; i < 5; i++) {
      const c = await rawConnect(h.port);
      assert.match(await c.closed(), /^HTTP\/1\.1 429 /);
    }
    h.guard.close(); // flushes the pending count
    const refusals = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => /refused/.test(String(r.msg)));
    assert.deepEqual(
      refusals.map((r) => r.refused),
      [1, 4],
      "one line at the first refusal, then one summary for the rest of the period",
    );
    assert.equal(refusals[1]!.total_refused, 5);
    held.socket.destroy();
  });

  it("counts WebSocket upgrades", async () => {
    const h = await start({ ...relaxed, maxConnectionsPerIp: 2 }, true);
    const open = (url: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    const sockets = [await open(`ws://127.0.0.1:${h.port}/ws`), await open(`ws://127.0.0.1:${h.port}/ws`)];
    const c = await rawConnect(h.port);
    assert.match(await c.closed(), /^HTTP\/1\.1 429 /);
    await assert.rejects(open(`ws://127.0.0.1:${h.port}/ws`), /429/);
    await new Promise<void>((resolve) => {
      sockets[0]!.once("close", () => resolve());
      sockets[0]!.close();
    });
    const deadline = Date.now() + 10_000;
    while (h.guard.openFrom("127.0.0.1") > 1) {
      assert.ok(Date.now() < deadline, "the server never saw the close");
      await sleep(10);
    }
    const third = await open(`ws://127.0.0.1:${h.port}/ws`);
    third.close();
    sockets[1]!.close();
  });
});
