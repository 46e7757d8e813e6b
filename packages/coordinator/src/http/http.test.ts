import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createLogger } from "../log/index.js";
import { readJson } from "./body.js";
import { createRequestListener } from "./listener.js";
import { sendJson } from "./respond.js";
import { Router } from "./router.js";

const LIMIT = 1024;
const lines: string[] = [];
let server: Server;
let base: string;

before(async () => {
  const router = new Router()
    .get("/ping", (ctx) => sendJson(ctx.res, 200, { pong: true, id: ctx.requestId, q: ctx.query.get("q") }))
    .post("/echo", async (ctx) => {
      const { value } = await readJson(ctx.req, LIMIT);
      sendJson(ctx.res, 200, { keys: Object.keys(value as object) });
    })
    .get("/boom", () => {
      throw new Error("secret detail");
    });
  let n = 0;
  server = createServer(
    createRequestListener({
      router,
      logger: createLogger({ level: "info", write: (l) => void lines.push(l) }),
      newRequestId: () => `req_test_${n++}`,
      now: Date.now,
    }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** Sends a body in pieces without Content-Length (chunked encoding). */
function chunked(path: string, pieces: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d)).on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}

describe("http layer", () => {
  it("routes, echoes a sane client request id and generates one otherwise", async () => {
    const a = await fetch(`${base}/ping?q=1`, { headers: { "x-request-id": "client-abc-123" } });
    assert.equal(a.headers.get("x-request-id"), "client-abc-123");
    assert.deepEqual(await a.json(), { pong: true, id: "client-abc-123", q: "1" });
    const b = await fetch(`${base}/ping`, { headers: { "x-request-id": "bad id with spaces" } });
    assert.match(b.headers.get("x-request-id") ?? "", /^req_test_\d+$/);
  });

  it("answers unknown routes 404 and wrong methods 405 in OpenAI shape", async () => {
    const r = await fetch(`${base}/nope`);
    assert.equal(r.status, 404);
    const body = (await r.json()) as { error: { type: string } };
    assert.equal(body.error.type, "not_found_error");
    const m = await fetch(`${base}/ping`, { method: "DELETE" });
    assert.equal(m.status, 405);
    assert.equal(m.headers.get("allow"), "GET");
  });

  it("rejects malformed JSON with 400 without echoing it", async () => {
    const r = await fetch(`${base}/echo`, { method: "POST", body: '{"secret-canary": ' });
    assert.equal(r.status, 400);
    const text = await r.text();
    assert.ok(!text.includes("secret-canary"));
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, "invalid_json");
  });

  it("answers 413 from Content-Length before reading the body", async () => {
    const r = await fetch(`${base}/echo`, { method: "POST", body: JSON.stringify({ a: "x".repeat(LIMIT * 4) }) });
    assert.equal(r.status, 413);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "request_too_large");
  });

  it("answers 413 when a chunked body grows past the limit", async () => {
    const r = await chunked("/echo", ['{"a":"', "x".repeat(LIMIT), '"}']);
    assert.equal(r.status, 413);
  });

  it("accepts a body under the limit", async () => {
    const r = await chunked("/echo", ['{"a":1,', '"b":2}']);
    assert.deepEqual(JSON.parse(r.body), { keys: ["a", "b"] });
  });

  it("turns handler exceptions into 500 without leaking their text", async () => {
    const r = await fetch(`${base}/boom`);
    assert.equal(r.status, 500);
    assert.ok(!(await r.text()).includes("secret detail"));
  });

  it("logs one JSON line per request with id, route, status and timing", async () => {
    lines.length = 0;
    await (await fetch(`${base}/ping`, { headers: { "x-request-id": "log-line-test-1" } })).text();
    await new Promise((r) => setTimeout(r, 10));
    const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.request_id === "log-line-test-1");
    assert.equal(recs.length, 1);
    assert.equal(recs[0]!.route, "/ping");
    assert.equal(recs[0]!.status, 200);
    assert.equal(typeof recs[0]!.total_ms, "number");
  });
});
