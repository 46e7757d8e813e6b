/**
 * `npm run bench:skeleton`: throughput and TTFT for 1 and 4 concurrent streams, (a) straight to
 * `darkbloom local` and (b) through the coordinator in e2e mode, on the same machine in one run,
 * plus the provider's batching gain. Prints figures; asserts nothing about timing.
 */
import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startLocal, startProvider } from "@darkbloom/testkit";
import { percentile, runLoad, type RunStats } from "./load.js";

const preset = (process.env.BENCH_PRESET ?? "medium") as "tiny" | "small" | "medium";
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 64);
const requests1 = Number(process.env.BENCH_REQUESTS_1 ?? 6);
const requests4 = Number(process.env.BENCH_REQUESTS_4 ?? 16);
const MODEL = `bench-${preset}`;

async function scenarios(client: OpenAI): Promise<[RunStats, RunStats]> {
  await runLoad({ client, model: MODEL, concurrency: 1, requests: 1, maxTokens: 8 }); // warm-up
  const one = await runLoad({ client, model: MODEL, concurrency: 1, requests: requests1, maxTokens });
  const four = await runLoad({ client, model: MODEL, concurrency: 4, requests: requests4, maxTokens });
  return [one, four];
}

const fmt = (n: number, d = 1) => n.toFixed(d);
function row(label: string, s: RunStats): string {
  return `${label.padEnd(28)} conc=${s.concurrency}  ${fmt(s.tokensPerSec, 2).padStart(8)} tok/s  TTFT p50 ${fmt(percentile(s.ttftMs, 50)).padStart(8)} ms  p99 ${fmt(percentile(s.ttftMs, 99)).padStart(8)} ms  (${s.requests} req × ${maxTokens} tok)`;
}

async function main(): Promise<void> {
  process.stdout.write(`bench:skeleton — preset ${preset}, ${maxTokens} tokens per request\n`);
  const modelPath = await ensureTestModel({ preset });

  const local = await startLocal({ modelPath, modelId: MODEL, parallel: 4 });
  let a: [RunStats, RunStats];
  try {
    a = await scenarios(new OpenAI({ baseURL: local.baseURL, apiKey: "local", maxRetries: 0 }));
  } finally {
    await local.stop();
  }

  const coord = await startCoordinator({ creditUsd: 1000 });
  let b: [RunStats, RunStats];
  try {
    const provider = await startProvider(coord, { modelPath, modelId: MODEL, parallel: 4 });
    try {
      const fetch = privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey });
      b = await scenarios(new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0, fetch }));
    } finally {
      await provider.stop();
    }
  } finally {
    await coord.stop();
  }

  const lines = [
    row("(a) darkbloom local", a[0]),
    row("(a) darkbloom local", a[1]),
    row("(b) coordinator e2e", b[0]),
    row("(b) coordinator e2e", b[1]),
    `ratio b/a throughput          conc=1 ${fmt(b[0].tokensPerSec / a[0].tokensPerSec, 3)}  conc=4 ${fmt(b[1].tokensPerSec / a[1].tokensPerSec, 3)}   (target ≥ 0.95)`,
    `added TTFT p50 (b − a)        conc=1 ${fmt(percentile(b[0].ttftMs, 50) - percentile(a[0].ttftMs, 50), 2)} ms  conc=4 ${fmt(percentile(b[1].ttftMs, 50) - percentile(a[1].ttftMs, 50), 2)} ms   (target ≤ 2 ms)`,
    `batching gain (local, 4 vs 1) ${fmt(a[1].tokensPerSec / a[0].tokensPerSec, 2)}×   via coordinator ${fmt(b[1].tokensPerSec / b[0].tokensPerSec, 2)}×   (target ≥ 1.8×)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
