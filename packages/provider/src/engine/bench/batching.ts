// Batching-gain benchmark: single-stream vs N-stream aggregate decode throughput, and TTFT.
//
//   node packages/provider/dist/engine/bench/batching.js [--model PATH] [--streams 4] [--tokens 128]
//        [--rounds 3] [--mode engine|session|both]
//
// "engine" measures this package's engine (lock-step continuous batching); "session" measures
// node-llama-cpp's default batching (one LlamaChatSession per sequence on one context), the
// baseline the engine is compared with. Without --model the testkit's `medium` model is used.
// Figures are medians over the rounds; the machine should otherwise be idle (load is printed).
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { LlamaChatSession } from "node-llama-cpp";
import { ensureTestModel } from "@darkbloom/testkit";
import { createEngine } from "../engine.js";
import { loadLlama, resolveLlamaConfig } from "../llama.js";

interface RunResult {
  tokens: number;
  ms: number;
  ttftMs: number[];
}

interface ModeSummary {
  single: number;
  aggregate: number;
  ttftSingle: number;
  ttftMulti: number;
}

type Runner = (streams: number, round: number) => Promise<RunResult>;

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    streams: { type: "string", default: "4" },
    tokens: { type: "string", default: "128" },
    rounds: { type: "string", default: "3" },
    mode: { type: "string", default: "both" },
  },
});
const streams = Number(values.streams);
const tokens = Number(values.tokens);
const rounds = Number(values.rounds);
const mode = values.mode ?? "both";
const modelPath = values.model ?? (await ensureTestModel({ preset: "medium" }));
const prompt = (i: number, round: number): string => `Tell me a long story about item ${i} (${round}).`;

/** CPU busy time of the whole machine (ms), from /proc/stat; undefined where unavailable. */
function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return (busy * 1000) / 100; // USER_HZ = 100
  } catch {
    return undefined;
  }
}

/** Runs fn and reports how busy the CPUs were with other processes meanwhile (percent of all cores). */
async function withForeignLoad<T>(fn: () => Promise<T>): Promise<[T, number | undefined]> {
  const busy0 = machineBusyMs();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await fn();
  const wall = performance.now() - t0;
  const busy1 = machineBusyMs();
  const own = process.cpuUsage(own0);
  if (busy0 === undefined || busy1 === undefined) return [r, undefined];
  const foreign = busy1 - busy0 - (own.user + own.system) / 1000;
  return [r, Math.max(0, (100 * foreign) / (wall * os.availableParallelism()))];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function measure(name: string, run: Runner): Promise<ModeSummary> {
  await run(1, -1); // warm-up
  const single: number[] = [];
  const aggregate: number[] = [];
  const ttftSingle: number[] = [];
  const ttftMulti: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const [a, fa] = await withForeignLoad(() => run(1, round));
    single.push((a.tokens * 1000) / a.ms);
    ttftSingle.push(...a.ttftMs);
    const [b, fb] = await withForeignLoad(() => run(streams, round));
    aggregate.push((b.tokens * 1000) / b.ms);
    ttftMulti.push(...b.ttftMs);
    console.log(
      `  [${name}] round ${round + 1}: 1 stream ${fmt(single.at(-1))} tok/s, ` +
        `${streams} streams ${fmt(aggregate.at(-1))} tok/s aggregate ` +
        `(other processes' CPU: ${fmt(fa)}% / ${fmt(fb)}%)`,
    );
  }
  return {
    single: median(single),
    aggregate: median(aggregate),
    ttftSingle: median(ttftSingle),
    ttftMulti: median(ttftMulti),
  };
}

async function engineRunner(): Promise<{ run: Runner; close: () => Promise<void> }> {
  const engine = await createEngine({ modelPath, parallel: streams });
  const run: Runner = async (n, round) => {
    const t0 = performance.now();
    const gens = Array.from({ length: n }, (_, i) =>
      engine.generate({ messages: [{ role: "user", content: prompt(i, round) }], maxTokens: tokens, temperature: 0 }),
    );
    const results = await Promise.all(gens.map((g) => g.result));
    const ms = performance.now() - t0;
    return {
      tokens: results.reduce((s, r) => s + r.usage.completionTokens, 0),
      ms,
      ttftMs: results.map((r) => r.timings.ttftMs ?? Number.NaN),
    };
  };
  return { run, close: () => engine.close() };
}

async function sessionRunner(): Promise<{ run: Runner; close: () => Promise<void> }> {
  const llama = await loadLlama(resolveLlamaConfig({}));
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ sequences: streams, contextSize: Math.min(model.trainContextSize, 4096) });
  const sequences = Array.from({ length: streams }, () => context.getSequence());
  const run: Runner = async (n, round) => {
    const t0 = performance.now();
    const per = await Promise.all(
      sequences.slice(0, n).map(async (sequence, i) => {
        const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
        let count = 0;
        let first = Number.NaN;
        await session.prompt(prompt(i, round), {
          maxTokens: tokens,
          temperature: 0,
          onToken: (t) => {
            if (count === 0) first = performance.now() - t0;
            count += t.length;
          },
        });
        session.dispose({ disposeSequence: false });
        await sequence.clearHistory();
        return { count, first };
      }),
    );
    const ms = performance.now() - t0;
    return { tokens: per.reduce((s, p) => s + p.count, 0), ms, ttftMs: per.map((p) => p.first) };
  };
  return {
    run,
    close: async () => {
      await context.dispose();
      await model.dispose();
    },
  };
}

function fmt(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(1);
}

function report(name: string, s: ModeSummary): void {
  console.log(`${name}:`);
  console.log(`  single-stream:         ${fmt(s.single)} tok/s   (TTFT ${fmt(s.ttftSingle)} ms)`);
  console.log(`  ${streams}-stream aggregate:    ${fmt(s.aggregate)} tok/s   (TTFT ${fmt(s.ttftMulti)} ms, median)`);
  console.log(`  batching gain:         ${(s.aggregate / s.single).toFixed(2)}x`);
}

console.log(
  `model ${modelPath}\nstreams ${streams}, max_tokens ${tokens}, rounds ${rounds}, ` +
    `threads ${os.availableParallelism()}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
);
const summaries: [string, ModeSummary][] = [];
for (const [name, make] of [
  ["node-llama-cpp default batching (LlamaChatSession per sequence)", sessionRunner],
  ["darkbloom engine (lock-step continuous batching)", engineRunner],
] as const) {
  if (mode !== "both" && !name.startsWith(mode === "session" ? "node-llama-cpp" : "darkbloom")) continue;
  const runner = await make();
  try {
    summaries.push([name, await measure(name.split(" ")[0] ?? name, runner.run)]);
  } finally {
    await runner.close();
  }
}
for (const [name, s] of summaries) report(name, s);
console.log(`load after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
