/**
 * `npm run bench:load`: 4 providers (tiny model) behind one coordinator under 16, 64 and 256
 * concurrent streaming requests, against the same load sent straight to 4 `darkbloom local`
 * servers. Prints RPS, TTFT p50/p99, outcomes by status, coordinator CPU and RSS, added TTFT
 * versus the direct servers, memory per open stream, and the delay from a client hang-up to the
 * provider freeing the sequence. Asserts nothing about timing.
 */
import OpenAI from "openai";
import { ensureTestModel, startCoordinator, startLocal, startProvider, type RunningProvider } from "@darkbloom/testkit";
import { burst, summarize, type BurstStats } from "./burst.js";
import { watchProc } from "./proc-sample.js";
import { percentile } from "./load.js";

const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 4);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? "16,64,256").split(",").map(Number);
const PER_WORKER = Number(process.env.BENCH_PER_WORKER ?? 2);
const MAX_TOKENS = Number(process.env.BENCH_MAX_TOKENS ?? 32);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 4);
const MODEL = "bench-load-tiny";

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "–");

interface Row {
  label: string;
  stats: BurstStats;
  cpu?: { cpuPercent: number; peakRssMiB: number; startRssMiB: number };
}

function line(r: Row): string {
  const s = summarize(r.stats);
  const coord = r.cpu
    ? `  coord CPU ${fmt(r.cpu.cpuPercent, 0).padStart(4)}%  RSS ${fmt(r.cpu.peakRssMiB, 0)} MiB  (+${fmt(((r.cpu.peakRssMiB - r.cpu.startRssMiB) * 1024) / r.stats.concurrency, 0)} KiB/open stream)`
    : "";
  return `${r.label.padEnd(12)} conc=${String(r.stats.concurrency).padStart(3)}  ${fmt(s.rps, 2).padStart(6)} req/s  ${fmt(s.tokPerSec, 0).padStart(5)} tok/s  TTFT p50 ${fmt(s.ttftP50, 0).padStart(6)} ms  p99 ${fmt(s.ttftP99, 0).padStart(6)} ms  [${s.byStatus}]${coord}`;
}

async function direct(modelPath: string): Promise<Row[]> {
  const servers = await Promise.all(Array.from({ length: PROVIDERS }, () => startLocal({ modelPath, modelId: MODEL, parallel: PARALLEL })));
  try {
    const clients = servers.map((s) => new OpenAI({ baseURL: s.baseURL, apiKey: "local", maxRetries: 0, timeout: 300_000 }));
    await burst(clients, MODEL, PROVIDERS, 1, 4); // warm-up
    const rows: Row[] = [];
    for (const c of LEVELS) rows.push({ label: "direct", stats: await burst(clients, MODEL, c, PER_WORKER, MAX_TOKENS) });
    return rows;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** Client hang-ups after the first content, one at a time: ms until a provider logs the freed sequence. */
async function cancelDelays(baseURL: string, apiKey: string, providers: RunningProvider[], n = 5): Promise<number[]> {
  const aborts = () => providers.flatMap((p) => p.proc.output().split("\n").filter((l) => l.includes('"finish_reason":"abort"')));
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = aborts().length;
    const ctl = new AbortController();
    const res = await fetch(`${baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, stream: true, max_tokens: 1500, messages: [{ role: "user", content: "go on" }] }),
      signal: ctl.signal,
    });
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes('"content"')) text += new TextDecoder().decode((await reader.read()).value);
    const abortedAt = Date.now();
    ctl.abort();
    const deadline = Date.now() + 30_000;
    while (aborts().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const last = aborts().at(-1);
    if (aborts().length > before && last) delays.push(Date.parse((JSON.parse(last) as { ts: string }).ts) - abortedAt);
  }
  return delays.sort((a, b) => a - b);
}

async function viaCoordinator(modelPath: string): Promise<{ rows: Row[]; cancels: number[] }> {
  const coord = await startCoordinator({ creditUsd: 10_000 });
  const providers: RunningProvider[] = [];
  try {
    for (let i = 0; i < PROVIDERS; i++) providers.push(await startProvider(coord, { modelPath, modelId: MODEL, parallel: PARALLEL }));
    const client = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0, timeout: 300_000 });
    await burst([client], MODEL, PROVIDERS, 1, 4); // warm-up
    const rows: Row[] = [];
    for (const c of LEVELS) {
      const watch = watchProc(coord.proc.child.pid!);
      const stats = await burst([client], MODEL, c, PER_WORKER, MAX_TOKENS);
      rows.push({ label: "coordinator", stats, cpu: watch.stop() });
    }
    return { rows, cancels: await cancelDelays(coord.baseURL, coord.apiKey, providers) };
  } finally {
    await Promise.all(providers.map((p) => p.stop()));
    await coord.stop();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`bench:load — ${PROVIDERS} providers × --parallel ${PARALLEL}, tiny model, ${MAX_TOKENS} tokens per request, ${PER_WORKER} requests per client worker\n`);
  const modelPath = await ensureTestModel({ preset: "tiny" });
  const a = await direct(modelPath);
  const b = await viaCoordinator(modelPath);
  const out = [...a.map(line), ...b.rows.map(line)];
  for (let i = 0; i < LEVELS.length; i++) {
    const da = summarize(a[i]!.stats);
    const db = summarize(b.rows[i]!.stats);
    out.push(`added TTFT p50 (coordinator − direct) conc=${LEVELS[i]}: ${fmt(db.ttftP50 - da.ttftP50, 1)} ms`);
  }
  out.push(`client hang-up → provider freed the sequence: p50 ${fmt(percentile(b.cancels, 50), 0)} ms, max ${fmt(b.cancels.at(-1) ?? NaN, 0)} ms (${b.cancels.length} runs)`);
  process.stdout.write(`${out.join("\n")}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
