import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { aggregateSha256, type ModelFile } from "@darkbloom/protocol";
import { TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** The model registry through the HTTP API: admin register, public catalog. */
const ADMIN = "admin-token-0123456789abcdef";
let coord: RunningCoordinator;
let bare: RunningCoordinator;

before(async () => {
  const common = { port: 0, databaseUrl: "sqlite::memory:", providerToken: TEST_PROVIDER_TOKEN, adminToken: ADMIN, logLevel: "silent" } as const;
  coord = await startCoordinator({ ...common, modelBaseUrl: "http://files.example/models" });
  bare = await startCoordinator(common);
});
after(async () => {
  await coord.close();
  await bare.close();
});

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const weights: ModelFile = { path: "tiny.gguf", size_bytes: 100, sha256: sha("w"), role: "weights" };
const manifest = (files: ModelFile[] = [weights], over: Record<string, unknown> = {}) => ({
  schema_version: 1,
  model_id: "org/tiny",
  version: "1",
  files,
  aggregate_sha256: aggregateSha256(files),
  total_size_bytes: files.reduce((n, f) => n + f.size_bytes, 0),
  ...over,
});
const register = (c: RunningCoordinator, body: unknown, token: string | null = ADMIN) =>
  fetch(`${c.url}/v1/admin/models/register`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token !== null && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
const catalog = async (c: RunningCoordinator) => {
  const res = await fetch(`${c.url}/v1/models/catalog`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: Record<string, unknown>[] }).data;
};

describe("model registry", () => {
  it("refuses a missing or wrong admin token", async () => {
    assert.equal((await register(coord, manifest(), null)).status, 401);
    assert.equal((await register(coord, manifest(), "admin-token-wrong-wrong-wrong")).status, 401);
    assert.deepEqual(await catalog(coord), []);
  });

  it("refuses bad manifests, naming the field", async () => {
    const cases: [unknown, string][] = [
      [manifest([weights], { aggregate_sha256: sha("x") }), "aggregate_sha256"],
      [manifest([weights], { total_size_bytes: 5 }), "total_size_bytes"],
      [manifest([{ ...weights, path: "../x.gguf" }]), "files.0.path"],
      [manifest([{ ...weights, role: "tokenizer" }]), "files"],
      [{ ...manifest(), schema_version: 9 }, "schema_version"],
    ];
    for (const [body, param] of cases) {
      const res = await register(coord, body);
      assert.equal(res.status, 400);
      const err = ((await res.json()) as { error: { param: string | null } }).error;
      assert.equal(err.param, param);
    }
    const raw = await fetch(`${coord.url}/v1/admin/models/register`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` }, body: "{" });
    assert.equal(raw.status, 400);
    assert.deepEqual(await catalog(coord), []);
  });

  it("registers a manifest once, lists it publicly with its base URL, and keeps versions immutable", async () => {
    const first = await register(coord, manifest());
    assert.equal(first.status, 201);
    assert.equal(((await first.json()) as { base_url: string }).base_url, "http://files.example/models/org/tiny/1");
    assert.equal((await register(coord, manifest())).status, 200);
    const other: ModelFile = { ...weights, sha256: sha("other") };
    const conflict = await register(coord, manifest([other]));
    assert.equal(conflict.status, 409);
    assert.equal((await register(coord, manifest([other], { version: "2", base_url: "http://cdn.example/t2" }))).status, 201);
    const data = await catalog(coord);
    assert.deepEqual(
      data.map((e) => [e.model_id, e.version, e.base_url]).sort(),
      [
        ["org/tiny", "1", "http://files.example/models/org/tiny/1"],
        ["org/tiny", "2", "http://cdn.example/t2"],
      ],
    );
    // The exact path wins over /v1/models/{id}; that route still refuses `catalog` as an id.
    assert.equal((await fetch(`${coord.url}/v1/models/catalog`)).status, 200);
  });

  it("needs a base URL from the manifest or DARKBLOOM_MODEL_BASE_URL", async () => {
    const res = await register(bare, manifest());
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /DARKBLOOM_MODEL_BASE_URL/);
    assert.equal((await register(bare, manifest([weights], { base_url: "https://cdn.example/tiny" }))).status, 201);
    assert.equal((await catalog(bare)).length, 1);
  });
});
