// ensureTestModel: generate-once cache of test models, safe across concurrent processes.
import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeModel, modelFileSize } from "./make-model.js";
import { GENERATOR_VERSION } from "./metadata.js";
import type { Preset } from "./presets.js";
import type { EosMode } from "./weights.js";

export interface EnsureTestModelOptions {
  preset?: Preset;
  seed?: number;
  eos?: EosMode;
  dir?: string;
}

/**
 * Default cache directory: $DARKBLOOM_TEST_MODEL_DIR, else `<repo>/.darkbloom/models` when running
 * from the monorepo checkout (git-ignored), else `<os tmpdir>/darkbloom-testkit-models`.
 */
export function defaultModelDir(): string {
  const env = process.env["DARKBLOOM_TEST_MODEL_DIR"];
  if (env) return resolve(env);
  // this file is <repo>/packages/testkit/dist/model/ensure.js
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
  if (existsSync(join(repo, "packages", "testkit", "package.json"))) return join(repo, ".darkbloom", "models");
  return join(tmpdir(), "darkbloom-testkit-models");
}

/** Cache file name for the given options (includes the generator version). */
export function testModelFileName(o: { preset: Preset; seed: number; eos: EosMode }): string {
  return `darkbloom-test-${o.preset}-s${o.seed}-${o.eos}-v${GENERATOR_VERSION}.gguf`;
}

const pending = new Map<string, Promise<string>>();

/**
 * Returns the path of a cached test model (default: tiny, seed 1, eos suppress, the preset's
 * default type), generating it first if missing or of the wrong size. Concurrent callers — in this
 * process or others — are safe: each generation goes to a temp file that is renamed into place.
 */
export async function ensureTestModel(opts: EnsureTestModelOptions = {}): Promise<string> {
  const preset = opts.preset ?? "tiny";
  const seed = opts.seed ?? 1;
  const eos = opts.eos ?? "suppress";
  const dir = opts.dir ?? defaultModelDir();
  const path = join(dir, testModelFileName({ preset, seed, eos }));
  const inflight = pending.get(path);
  if (inflight) return inflight;
  const job = (async () => {
    const expected = modelFileSize({ preset, seed, eos });
    const st = await stat(path).catch(() => undefined);
    if (st?.isFile() && st.size === expected) return path;
    await mkdir(dir, { recursive: true });
    await makeModel({ out: path, preset, seed, eos });
    return path;
  })();
  pending.set(path, job);
  try {
    return await job;
  } finally {
    pending.delete(path);
  }
}
