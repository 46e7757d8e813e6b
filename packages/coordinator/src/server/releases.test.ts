import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CLOSE_PROVIDER_TOO_OLD } from "@darkbloom/protocol";
import { generateApiKey } from "../auth/index.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

const KEY = generateApiKey();
const RELEASE_TOKEN = "release-token-0123456789abcdef";
let coord: RunningCoordinator;
const logs: string[] = [];

before(async () => {
  coord = await startCoordinator(
    {
      port: 0,
      databaseUrl: "sqlite::memory:",
      bootstrapApiKey: KEY,
      providerToken: TEST_PROVIDER_TOKEN,
      releaseToken: RELEASE_TOKEN,
      minProviderVersion: "1.2.0",
      logLevel: "info",
    },
    { logWrite: (l) => void logs.push(l) },
  );
});
after(() => coord.close());

const publish = (body: unknown, token: string | null = RELEASE_TOKEN) =>
  fetch(`${coord.url}/v1/releases`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token !== null && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
const latest = () => fetch(`${coord.url}/v1/releases/latest`);
const H = (c: string) => c.repeat(64);

describe("releases and the minimum provider version", () => {
  it("registers releases with the release token only, idempotently; latest by semver", async () => {
    assert.equal((await latest()).status, 404);
    assert.equal((await publish({ version: "1.9.0", package_hash: H("a") }, null)).status, 401);
    assert.equal((await publish({ version: "1.9.0", package_hash: H("a") }, "wrong-token-0123456789abcdef")).status, 401);
    assert.equal((await publish({ version: "1.9", package_hash: H("a") })).status, 400);
    assert.equal((await publish({ version: "1.9.0", package_hash: "ABC" })).status, 400);
    assert.equal((await publish({ version: "1.9.0", package_hash: H("a"), notes: "n" })).status, 201);
    assert.equal((await publish({ version: "1.9.0", package_hash: H("a") })).status, 200, "idempotent");
    assert.equal((await publish({ version: "1.9.0", package_hash: H("b") })).status, 409, "versions are immutable");
    assert.equal((await publish({ version: "1.10.0-rc.1", package_hash: H("c") })).status, 201);
    let body = (await (await latest()).json()) as { version: string; package_hash: string; min_provider_version: string };
    assert.deepEqual([body.version, body.package_hash, body.min_provider_version], ["1.10.0-rc.1", H("c"), "1.2.0"]);
    assert.equal((await publish({ version: "1.10.0", package_hash: H("d") })).status, 201);
    body = (await (await latest()).json()) as typeof body;
    assert.equal(body.version, "1.10.0", "a release outranks its release candidate; 1.10 > 1.9");
  });

  it("refuses a provider below DARKBLOOM_MIN_PROVIDER_VERSION with a permanent close code and an upgrade message", async () => {
    await assert.rejects(FakeProvider.connect(coord.url, { models: ["old"], providerVersion: "1.1.9" }), (err: Error) => {
      assert.match(err.message, new RegExp(`closed before registered: ${CLOSE_PROVIDER_TOO_OLD} darkbloom 1\\.1\\.9 is too old \\(minimum 1\\.2\\.0\\): upgrade`));
      return true;
    });
    const ok = await FakeProvider.connect(coord.url, { models: ["new"], providerVersion: "1.2.0" });
    await ok.close();
  });

  it("a provider whose package hash is a registered release is marked known; others are not (trust capped at self_signed)", async () => {
    const known = await FakeProvider.connect(coord.url, { models: ["k"], providerVersion: "1.9.0", packageHash: H("a") });
    const unknown = await FakeProvider.connect(coord.url, { models: ["u"], providerVersion: "1.9.0", packageHash: H("e") });
    const line = (id: string) => logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "provider registered" && l.provider_id === id);
    assert.equal(line(known.id)?.known_release, true);
    assert.equal(line(unknown.id)?.known_release, false);
    assert.equal(coord.registry.get(unknown.id)?.trustLevel, "self_signed");
    await Promise.all([known.close(), unknown.close()]);
  });
});
