import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { createLogger } from "../log/index.js";
import { createRequestListener } from "./listener.js";
import { sendJson } from "./respond.js";
import { Router } from "./router.js";

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

async function accessLevels(accessLogLevel: "debug" | "info" | undefined, level: "debug" | "info"): Promise<string[]> {
  const lines: string[] = [];
  const logger = createLogger({ level, write: (l) => void lines.push(l) });
  const router = new Router().get("/ping", (ctx) => sendJson(ctx.res, 200, {}));
  const server = createServer(createRequestListener({ router, logger, newRequestId: () => "req_access_1", now: Date.now, ...(accessLogLevel && { accessLogLevel }) }));
  servers.push(server);
  // Registered after the listener, so it runs after the listener's own close handler (which logs).
  const closed = new Promise<void>((resolve) => server.once("request", (_req, res) => res.once("close", () => resolve())));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`);
  await res.text();
  await closed;
  return lines.map((l) => (JSON.parse(l) as { msg: string; level: string })).filter((r) => r.msg === "request").map((r) => r.level);
}

test("the access log line uses the configured level", async () => {
  assert.deepEqual(await accessLevels(undefined, "debug"), ["info"]);
  assert.deepEqual(await accessLevels("debug", "debug"), ["debug"]);
  assert.deepEqual(await accessLevels("debug", "info"), [], "hidden at the info level");
});
