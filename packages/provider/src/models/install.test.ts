import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { aggregateSha256, type CatalogEntry, type ModelFile } from "@darkbloom/protocol";
import { ensureTestModel, startFileServer, type RunningFileServer } from "@darkbloom/testkit";
import { DownloadError } from "./download-file.js";
import { sha256File } from "./hash-file.js";
import { findInstalled, listInstalled, removeModel, verifyModel } from "./installed.js";
import { installModel } from "./install.js";
import { PART_SUFFIX, modelDir } from "./paths.js";
import { resolveModelRef } from "./resolve.js";

/** Downloads from a real HTTP server (started here) serving a generated GGUF, with injected faults. */
let server: RunningFileServer;
let served: string;
let entry: CatalogEntry;
let size: number;
const FILE = "/org/tiny/1/tiny.gguf";
const noSleep = async () => {};

before(async () => {
  served = await mkdtemp(join(tmpdir(), "darkbloom-served-"));
  const source = await ensureTestModel({ preset: "tiny" });
  await mkdir(join(served, "org/tiny/1"), { recursive: true });
  await copyFile(source, join(served, FILE));
  size = (await stat(source)).size;
  const files: ModelFile[] = [{ path: "tiny.gguf", size_bytes: size, sha256: await sha256File(source), role: "weights" }];
  server = await startFileServer(served);
  entry = {
    schema_version: 1,
    model_id: "org/tiny",
    version: "1",
    files,
    aggregate_sha256: aggregateSha256(files),
    total_size_bytes: size,
    base_url: `${server.origin}/org/tiny/1`,
    registered_at: 1,
  };
});
after(async () => {
  await server.close();
  await rm(served, { recursive: true, force: true });
});

const freshRoot = () => mkdtemp(join(tmpdir(), "darkbloom-models-"));
const requestsFrom = (n: number) => server.requests.slice(n).filter((r) => r.path === FILE);

describe("model downloads", () => {
  it("downloads, verifies and installs a model; list, verify, resolve and remove see it", async () => {
    const root = await freshRoot();
    const progress: number[] = [];
    const model = await installModel(root, entry, { onProgress: (b) => progress.push(b), sleep: noSleep });
    assert.equal(await sha256File(model.weightsPath), entry.files[0]!.sha256);
    assert.equal(progress.at(-1), size);
    assert.deepEqual((await listInstalled(root)).map((m) => m.entry.model_id), ["org/tiny"]);
    assert.ok((await verifyModel(model)).every((c) => c.ok));
    assert.deepEqual(await resolveModelRef("org/tiny", { DARKBLOOM_MODELS_DIR: root }), { path: model.weightsPath, catalogId: "org/tiny" });
    await assert.rejects(resolveModelRef("org/other", { DARKBLOOM_MODELS_DIR: root }), /darkbloom models download org\/other/);
    assert.equal(await removeModel(root, "org/tiny"), true);
    assert.equal(await removeModel(root, "org/tiny"), false);
    assert.deepEqual(await listInstalled(root), []);
    await assert.rejects(resolveModelRef("org/tiny", { DARKBLOOM_MODELS_DIR: root }), /run `darkbloom models download org\/tiny`/);
  });

  it("resumes with a Range request when the server cuts the connection mid-file", async () => {
    const root = await freshRoot();
    const cut = Math.floor(size / 3);
    const seen = server.requests.length;
    server.cutNext(FILE, cut);
    const events: string[] = [];
    const model = await installModel(root, entry, { sleep: noSleep, onEvent: (e) => events.push(e) });
    assert.equal(await sha256File(model.weightsPath), entry.files[0]!.sha256);
    // The second request asks for the bytes after those that reached the disk (at most the cut).
    const [first, second, ...rest] = requestsFrom(seen);
    assert.deepEqual([first?.status, first?.start, second?.status, rest.length], [200, 0, 206, 0]);
    assert.ok(second!.start > 0 && second!.start <= cut, `resumed from ${second!.start}, cut at ${cut}`);
    assert.deepEqual(events, ["resuming"]);
  });

  it("an interrupted download (gave up) continues where it stopped on the next run", async () => {
    const root = await freshRoot();
    const cut = Math.floor(size / 2);
    server.cutNext(FILE, cut);
    await assert.rejects(installModel(root, entry, { sleep: noSleep, maxAttempts: 1 }), DownloadError);
    const part = join(modelDir(root, "org/tiny"), `tiny.gguf${PART_SUFFIX}`);
    const kept = (await stat(part)).size;
    assert.ok(kept > 0 && kept <= cut, `kept ${kept} bytes, cut at ${cut}`);
    assert.equal(await findInstalled(root, "org/tiny"), undefined);
    const seen = server.requests.length;
    const model = await installModel(root, entry, { sleep: noSleep });
    assert.deepEqual(requestsFrom(seen).map((r) => [r.status, r.start]), [[206, kept]]);
    assert.equal(await sha256File(model.weightsPath), entry.files[0]!.sha256);
    await assert.rejects(stat(part));
  });

  it("refuses a corrupted file, deletes it and fetches it again", async () => {
    const root = await freshRoot();
    const seen = server.requests.length;
    server.corruptNext(FILE);
    const events: string[] = [];
    const model = await installModel(root, entry, { sleep: noSleep, onEvent: (e) => events.push(e) });
    assert.deepEqual(events, ["corrupt"]);
    assert.deepEqual(requestsFrom(seen).map((r) => [r.status, r.start]), [[200, 0], [200, 0]]);
    assert.equal(await sha256File(model.weightsPath), entry.files[0]!.sha256);
  });

  it("gives up when the server keeps serving a wrong file, installing nothing", async () => {
    const root = await freshRoot();
    const wrong = { ...entry, files: [{ ...entry.files[0]!, sha256: "0".repeat(64) }] };
    await assert.rejects(installModel(root, wrong, { sleep: noSleep }), /does not match/);
    assert.equal(await findInstalled(root, "org/tiny"), undefined);
    await assert.rejects(stat(join(modelDir(root, "org/tiny"), "tiny.gguf")));
  });

  it("verify detects a tampered file and a missing one", async () => {
    const root = await freshRoot();
    const model = await installModel(root, entry, { sleep: noSleep });
    const bytes = await readFile(model.weightsPath);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(model.weightsPath, bytes);
    const [check] = await verifyModel(model);
    assert.equal(check?.ok, false);
    assert.equal(check && !check.ok && check.problem, "sha256");
    // A new download replaces the tampered file.
    await installModel(root, entry, { sleep: noSleep });
    assert.ok((await verifyModel(model)).every((c) => c.ok));
    await rm(model.weightsPath);
    assert.equal((await verifyModel(model))[0]?.ok, false);
  });
});
