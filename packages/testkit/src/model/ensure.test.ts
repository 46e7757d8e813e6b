import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readGgufHeader } from "../gguf/index.js";
import { defaultModelDir, ensureTestModel, testModelFileName } from "./ensure.js";
import { modelFileSize } from "./make-model.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "testkit-ensure-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const indexUrl = new URL("../index.js", import.meta.url).href;

/** Runs ensureTestModel in a separate Node process and resolves with the path it printed. */
function ensureInChild(d: string): Promise<string> {
  const code = `import { ensureTestModel } from ${JSON.stringify(indexUrl)};
process.stdout.write(await ensureTestModel({ dir: ${JSON.stringify(d)} }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", reject);
    child.on("exit", (status) => (status === 0 ? resolve(out) : reject(new Error(`child exited ${status}`))));
  });
}

test("concurrent callers (two processes + this one) all get the same valid file", async () => {
  const d = join(dir, "concurrent");
  const paths = await Promise.all([ensureInChild(d), ensureInChild(d), ensureTestModel({ dir: d }), ensureTestModel({ dir: d })]);
  const expected = join(d, testModelFileName({ preset: "tiny", seed: 1, eos: "suppress" }));
  assert.deepEqual(paths, [expected, expected, expected, expected]);
  assert.equal((await stat(expected)).size, modelFileSize());
  assert.equal((await readGgufHeader(expected)).metadata["general.architecture"]?.value, "llama");
  assert.deepEqual(await readdir(d), [testModelFileName({ preset: "tiny", seed: 1, eos: "suppress" })]);
});

test("a cached model is reused; a wrong-sized one is regenerated", async () => {
  const d = join(dir, "cache");
  const p = await ensureTestModel({ dir: d, seed: 9, eos: "favour" });
  assert.match(p, /tiny-s9-favour/);
  const m1 = (await stat(p)).mtimeMs;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await ensureTestModel({ dir: d, seed: 9, eos: "favour" }), p);
  assert.equal((await stat(p)).mtimeMs, m1);
  await writeFile(p, "truncated");
  assert.equal(await ensureTestModel({ dir: d, seed: 9, eos: "favour" }), p);
  assert.equal((await stat(p)).size, modelFileSize({ seed: 9, eos: "favour" }));
});

test("default cache dir honours DARKBLOOM_TEST_MODEL_DIR", () => {
  const prev = process.env["DARKBLOOM_TEST_MODEL_DIR"];
  try {
    process.env["DARKBLOOM_TEST_MODEL_DIR"] = join(dir, "env");
    assert.equal(defaultModelDir(), join(dir, "env"));
    delete process.env["DARKBLOOM_TEST_MODEL_DIR"];
    assert.match(defaultModelDir(), /models$/);
  } finally {
    if (prev === undefined) delete process.env["DARKBLOOM_TEST_MODEL_DIR"];
    else process.env["DARKBLOOM_TEST_MODEL_DIR"] = prev;
  }
});
