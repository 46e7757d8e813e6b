import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { flood, rawConnect, trickle } from "../test-support/raw-http.js";
import { TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

// The resource-exhaustion attacks of issue 5 against a real coordinator: a trickled body held a
// connection forever (requestTimeout 0), a 401 did not end the connection, and one address could
// open connections until file descriptors ran out.

const KEY = generateApiKey();
const logs: string[] = [];
let coord: RunningCoordinator;

before(async () => {
  coord = await startCoordinator(
    {
      port: 0,
      databaseUrl: "sqlite::memory:",
      bootstrapApiKey: KEY,
      bootstrapCreditUsd: 1,
      providerToken: TEST_PROVIDER_TOKEN,
      logLevel: "info",
      httpHeadersTimeoutMs: 500,
      httpBodyTimeoutMs: 1_000,
      httpIdleTimeoutMs: 800,
      httpKeepAliveTimeoutMs: 400,
      maxConnectionsPerIp: 4,
    },
    { logWrite: (l) => void logs.push(l) },
  );
});
after(() => coord.close());

const chatHead = (auth: string, length: number) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe("coordinator HTTP limits", () => {
  it("cuts off an authorized chat request whose body trickles in", async () => {
    const c = await rawConnect(coord.port);
    c.socket.write(chatHead(KEY, 100_000) + "{");
    trickle(c.socket, 100);
    assert.match(await c.closed(15_000), /^HTTP\/1\.1 408 /);
  });

  it("answers a bad key with a complete 401 and closes while the client is still sending its body", async () => {
    const c = await rawConnect(coord.port);
    c.socket.write(chatHead("sk-db-wrong", 1_000_000_000));
    flood(c.socket, Buffer.alloc(16 * 1024, 0x20));
    const res = await c.response(15_000);
    assert.equal(res.status, 401);
    assert.equal(res.headers.connection, "close");
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, "invalid_api_key");
    await c.closed(15_000);
  });

  it("refuses connections over the per-address cap and admits again once they close", async () => {
    const held = await Promise.all([1, 2, 3, 4].map(() => rawConnect(coord.port)));
    for (const c of held) {
      c.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.equal((await c.response()).status, 200);
    }
    const over = await rawConnect(coord.port);
    over.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(await over.closed(), /^HTTP\/1\.1 429 /);

    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed()));
    // The server sees the closes asynchronously: retry (bounded) until /health answers again.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const c = await rawConnect(coord.port);
      c.socket.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      const status = (await c.response()).status;
      c.socket.destroy();
      if (status === 200) break;
      assert.ok(Date.now() < deadline, `still refused (${status})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(logs.some((l) => l.includes("per-address cap")), "refusals are logged");
  });
});
