import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { buildArgs, CLEAR_ARGS, missingBuildTools, nodeLlamaCppCli } from "../../engine-build/index.js";
import { existsSync } from "node:fs";

const bin = fileURLToPath(new URL("../../../bin/darkbloom.js", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });

test("engine status names the binary a fresh engine loads", () => {
  const r = run("engine", "status");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^engine: (prebuilt binary \(generic CPU\)|native build \(made on this machine\)), gpu false\n$/);
});

test("engine refuses a missing or unknown action and a bad --gpu with exit 2", () => {
  for (const args of [["engine"], ["engine", "compile"], ["engine", "build", "--gpu", "cuda"], ["engine", "status", "extra"]]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
  }
});

test("the build runs node-llama-cpp's own CLI from the bundled source, CPU-only by default", () => {
  assert.ok(existsSync(nodeLlamaCppCli()), nodeLlamaCppCli());
  assert.deepEqual(buildArgs("false"), ["source", "download", "--gpu", "false", "--noUsageExample"]);
  assert.deepEqual(CLEAR_ARGS, ["source", "clear", "--type", "builds"]);
  for (const tool of missingBuildTools()) assert.ok(["cmake", "c++", "git"].includes(tool), tool);
});
