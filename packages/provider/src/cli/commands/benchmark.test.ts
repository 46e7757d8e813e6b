import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { generateEncryptionKeyPair, generateIdentityKeyPair } from "@darkbloom/protocol";
import { ensureTestModel } from "@darkbloom/testkit";
import { BenchmarkResultSchema } from "../../benchmark/store.js";
import { concurrencyLevels } from "../../benchmark/measure.js";
import { buildRegisterFrame, describeHardware } from "../../client/register.js";

const bin = fileURLToPath(new URL("../../../bin/darkbloom.js", import.meta.url));

test("concurrency levels are 1, 2, 4 … N", () => {
  assert.deepEqual(concurrencyLevels(1), [1]);
  assert.deepEqual(concurrencyLevels(4), [1, 2, 4]);
  assert.deepEqual(concurrencyLevels(6), [1, 2, 4, 6]);
});

test("darkbloom benchmark (built bin, tiny model, N=2): a table per concurrency, stored, and reported by register", async () => {
  const state = await mkdtemp(join(tmpdir(), "darkbloom-bench-"));
  const model = await ensureTestModel({ preset: "tiny" });
  const args = [bin, "benchmark", "--model", model, "--model-id", "bench-tiny", "--max-concurrency", "2", "--tokens", "4", "--prompt-words", "16"];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 120_000, env: { ...process.env, DARKBLOOM_STATE_DIR: state } });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0]!, /^model bench-tiny \((cpu|metal|cuda|vulkan)\)$/);
  assert.match(lines[1]!, /^\s*CONCURRENCY\s+PREFILL tok\/s\s+DECODE tok\/s\s+PROMPT tok\s+GEN tok$/);
  assert.match(lines[2]!, /^\s+1\s+[\d.]+\s+[\d.]+\s+\d+\s+\d+$/);
  assert.match(lines[3]!, /^\s+2\s+[\d.]+\s+[\d.]+\s+\d+\s+\d+$/);
  assert.match(r.stdout, /benchmark_tps [\d.]+ \(stored in /);

  const stored = BenchmarkResultSchema.parse(JSON.parse(await readFile(join(state, "benchmark.json"), "utf8")));
  assert.deepEqual(stored.rows.map((row) => row.concurrency), [1, 2]);
  assert.equal(stored.model_id, "bench-tiny");
  assert.equal(stored.benchmark_tps, Math.max(...stored.rows.map((row) => row.decode_tps)));
  assert.ok(stored.rows.every((row) => row.completion_tokens > 0 && row.prompt_tokens > 0));

  // register reports it when serving the benchmarked model, not for another one.
  process.env.DARKBLOOM_STATE_DIR = state;
  try {
    const identity = await generateIdentityKeyPair();
    const keyPair = await generateEncryptionKeyPair();
    const describe = (id: string) => [{ id, size_bytes: 1, quantization: "F16", context_length: 64, template_render_ok: true }];
    const frame = await buildRegisterFrame(identity, keyPair, describe("bench-tiny"), describeHardware("cpu"));
    assert.equal(frame.benchmark_tps, stored.benchmark_tps);
    const other = await buildRegisterFrame(identity, keyPair, describe("some-other-model"), describeHardware("cpu"));
    assert.equal(other.benchmark_tps, undefined);
  } finally {
    delete process.env.DARKBLOOM_STATE_DIR;
  }
});
