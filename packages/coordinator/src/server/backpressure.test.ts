import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

const KEY = generateApiKey();
const logs: string[] = [];
let coord: RunningCoordinator;
let provider: FakeProvider;

before(async () => {
  coord = await startCoordinator(
    { providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 5, streamBufferChunks: 8, drainGraceMs: 20 },
    { logWrite: (l) => void logs.push(l) },
  );
  provider = await FakeProvider.connect(coord.url, { models: ["tiny"], behavior: () => "flood", floodChunks: 2_000 });
});

after(async () => {
  await provider.close();
  await coord.close();
});

describe("consumer back-pressure", () => {
  it("gives a consumer that stops reading a 499 and cancels the provider", async () => {
    const body = JSON.stringify({ model: "tiny", stream: true, messages: [{ role: "user", content: "flood me" }] });
    const req = request(`${coord.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${KEY}` } }, (res) => {
      assert.equal(res.statusCode, 200);
      res.pause(); // never read: the coordinator's buffer fills
    });
    req.on("error", () => {});
    req.end(body);
    const cancel = await waitUntil("the provider to be cancelled", () => provider.cancels[0]);
    assert.match(cancel.reason, /too slow/);
    req.destroy();
    const line = await waitUntil("the request's access-log line", () =>
      logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === "request" && r.route === "/v1/chat/completions"),
    );
    assert.equal(line.status, 499);
  });
});
