/**
 * `npm run bench:engine`: our engine (`darkbloom local`) against llama.cpp's own llama-server,
 * built once from the llama.cpp source bundled in node-llama-cpp, on the same generated model with
 * the same context, parallel sequences, threads, sampling and prompts. Concurrency levels run in
 * alternating order round after round; the table shows medians over the rounds and our figures as
 * ratios of llama-server's. Prints figures; asserts nothing.
 *
 * Env: BENCH_PRESET (medium), BENCH_LEVELS (1,2,4,8; add 16 for --parallel 16), BENCH_ROUNDS (3),
 * BENCH_MAX_TOKENS (64), BENCH_CACHE (<repo>/.cache).
 */
import { join } from "node:path";
import { ensureTestModel, repoRoot } from "@darkbloom/testkit";
import { ensureLlamaServer } from "./llama-server-build.js";
import { measureLevel, median, type LevelResult, type Sampling } from "./measure.js";
import { defaultThreads, startLlamaServer, startOurs, type BenchServer, type ServerSettings } from "./servers.js";

const preset = (process.env.BENCH_PRESET ?? "medium") as "tiny" | "small" | "medium";
const levels = (process.env.BENCH_LEVELS ?? "1,2,4,8").split(",").map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 64);
const cache = process.env.BENCH_CACHE ?? join(repoRoot, ".cache");
/** llama-server's default top-k; our engine's default is the same (engine/scheduler.ts). */
const sampling: Sampling = { temperature: 0.8, top_p: 0.95, top_k: 40, seed: 42 };

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "–");
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const build = await ensureLlamaServer(cache, (line) => process.stderr.write(`  ${line}\n`));
  if (!build.ok) {
    log(`bench:engine skipped: ${build.reason}`);
    return;
  }
  const modelPath = await ensureTestModel({ preset });
  const settings: ServerSettings = {
    modelPath,
    modelId: `bench-${preset}`,
    parallel: Math.max(4, ...levels),
    contextPerSequence: 4096,
    threads: defaultThreads(),
  };
  const servers: BenchServer[] = [await startLlamaServer(build.binary, settings), await startOurs(settings)];
  const results = new Map<string, LevelResult[]>(); // `${server}/${level}` → one per round
  try {
    log(`bench:engine — preset ${preset}, ${maxTokens} tokens per request, ${rounds} rounds, llama.cpp ${build.tag}`);
    for (const s of servers) log(`  ${s.describe()}`);
    for (const s of servers) await measureLevel(s.baseURL, settings.modelId, 1, 8, sampling, 1); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const level of levels) {
        const order = (r + level) % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const res = await measureLevel(s.baseURL, settings.modelId, level, maxTokens, sampling);
          const key = `${s.name}/${level}`;
          results.set(key, [...(results.get(key) ?? []), res]);
          process.stderr.write(`  round ${r + 1} conc ${level} ${s.name}: ${fmt(res.aggregateTps)} tok/s, TTFT p50 ${fmt(res.ttftP50)} ms\n`);
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }

  const med = (server: string, level: number, pick: (r: LevelResult) => number) => median((results.get(`${server}/${level}`) ?? []).map(pick));
  log("");
  log("conc | llama-server tok/s | ours tok/s | ratio | TTFT p50 llama / ours (ratio) | TTFT p99 llama / ours | per-stream tok/s llama / ours (ratio)");
  for (const level of levels) {
    const a = (f: (r: LevelResult) => number) => med("llama-server", level, f);
    const b = (f: (r: LevelResult) => number) => med("darkbloom local", level, f);
    const agg = [a((r) => r.aggregateTps), b((r) => r.aggregateTps)] as const;
    const ttft = [a((r) => r.ttftP50), b((r) => r.ttftP50)] as const;
    const p99 = [a((r) => r.ttftP99), b((r) => r.ttftP99)] as const;
    const ps = [a((r) => r.perStreamTps), b((r) => r.perStreamTps)] as const;
    log(
      `${String(level).padStart(4)} | ${fmt(agg[0]).padStart(18)} | ${fmt(agg[1]).padStart(10)} | ${fmt(agg[1] / agg[0], 2).padStart(5)} | ${fmt(ttft[0])} / ${fmt(ttft[1])} ms (${fmt(ttft[1] / ttft[0], 2)}) | ${fmt(p99[0])} / ${fmt(p99[1])} ms | ${fmt(ps[0])} / ${fmt(ps[1])} (${fmt(ps[1] / ps[0], 2)})`,
    );
  }
  const ratio = (level: number, f: (r: LevelResult) => number) => med("darkbloom local", level, f) / med("llama-server", level, f);
  const targets = [
    levels.includes(1) && `1 stream ${fmt(ratio(1, (r) => r.aggregateTps), 2)} (≥ 0.95)`,
    levels.includes(4) && `4 concurrent ${fmt(ratio(4, (r) => r.aggregateTps), 2)} (≥ 1.0)`,
    levels.includes(8) && `8 concurrent ${fmt(ratio(8, (r) => r.aggregateTps), 2)} (≥ 1.0)`,
    levels.includes(4) && `TTFT p50 at 4 ${fmt(ratio(4, (r) => r.ttftP50), 2)} (≤ 1.2)`,
  ].filter(Boolean);
  log(`targets: ${targets.join("; ")}`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
