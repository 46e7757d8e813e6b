import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { WEIGHT_HASHES_FILE, WeightHashes } from "./weight-hashes.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weight-hashes-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

test("hashes on demand, then answers from the cache until size or mtime change", async () => {
  const model = join(dir, "m.gguf");
  await writeFile(model, "weights v1");
  let hashed = 0;
  const counting = async (p: string) => {
    hashed++;
    return sha(await readFile(p, "utf8"));
  };
  const state = join(dir, "state");
  assert.equal(await new WeightHashes(state, counting).hash(model), sha("weights v1"));
  assert.equal(hashed, 1);
  // A new process (new instance) reads the cache file: no rehash.
  const again = new WeightHashes(state, counting);
  assert.equal(await again.hash(model), sha("weights v1"));
  assert.equal(hashed, 1);
  assert.equal((await stat(join(state, WEIGHT_HASHES_FILE))).mode & 0o777, 0o600);
  // Same size, new mtime: hashed again.
  await writeFile(model, "weights v2");
  const later = new Date(Date.now() + 5_000);
  await utimes(model, later, later);
  assert.equal(await again.hash(model), sha("weights v2"));
  assert.equal(hashed, 2);
});

test("a corrupt cache file is rebuilt, not trusted", async () => {
  const state = join(dir, "corrupt");
  const model = join(dir, "c.gguf");
  await writeFile(model, "abc");
  const h = new WeightHashes(state);
  await h.hash(model);
  await writeFile(join(state, WEIGHT_HASHES_FILE), JSON.stringify({ version: 1, entries: [{ path: model, size: 3, mtime_ms: 0, sha256: "not-hex" }] }));
  assert.equal(await new WeightHashes(state).hash(model), sha("abc"));
  await writeFile(join(state, WEIGHT_HASHES_FILE), "{not json");
  assert.equal(await new WeightHashes(state).hash(model), sha("abc"));
});
