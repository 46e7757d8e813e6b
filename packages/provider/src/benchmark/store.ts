// The stored benchmark result: JSON in the state dir, read back by `register`.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export const BenchmarkRowSchema = z.object({
  concurrency: z.number().int().positive(),
  prefill_tps: z.number().nonnegative(),
  decode_tps: z.number().nonnegative(),
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});
export type BenchmarkRow = z.infer<typeof BenchmarkRowSchema>;

export const BenchmarkResultSchema = z.object({
  schema_version: z.literal(1),
  measured_at: z.string(),
  model_id: z.string().min(1),
  backend: z.string(),
  rows: z.array(BenchmarkRowSchema).min(1),
  /** Best aggregate decode tok/s over the concurrencies measured: what `register` reports. */
  benchmark_tps: z.number().nonnegative(),
});
export type BenchmarkResult = z.infer<typeof BenchmarkResultSchema>;

export { stateDir } from "../dirs.js";
import { stateDir } from "../dirs.js";

export const benchmarkFile = (env: NodeJS.ProcessEnv = process.env) => join(stateDir(env), "benchmark.json");

export async function saveBenchmark(result: BenchmarkResult, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = benchmarkFile(env);
  await mkdir(stateDir(env), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return file;
}

/** The stored result, or undefined when there is none or it is unreadable (never throws). */
export async function loadBenchmark(env: NodeJS.ProcessEnv = process.env): Promise<BenchmarkResult | undefined> {
  try {
    return BenchmarkResultSchema.parse(JSON.parse(await readFile(benchmarkFile(env), "utf8")));
  } catch {
    return undefined;
  }
}

/** The stored tok/s when it was measured on one of the served models (another model's speed says little). */
export async function storedBenchmarkTps(modelIds: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const stored = await loadBenchmark(env);
  return stored !== undefined && modelIds.includes(stored.model_id) ? stored.benchmark_tps : undefined;
}
