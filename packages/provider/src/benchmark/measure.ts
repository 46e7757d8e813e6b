// Prefill and decode throughput of the real engine at a given concurrency.
import type { Engine } from "../engine/index.js";
import type { BenchmarkRow } from "./store.js";

/** 1, 2, 4, … up to max, with max itself last when it is not a power of two. */
export function concurrencyLevels(max: number): number[] {
  const out: number[] = [];
  for (let c = 1; c <= max; c *= 2) out.push(c);
  if (out.at(-1) !== max) out.push(max);
  return out;
}

export interface MeasureOptions {
  concurrency: number;
  /** Approximate prompt length in words (≈ tokens). */
  promptWords: number;
  /** Tokens generated per request. */
  maxTokens: number;
  now?: () => number;
}

const WORDS = ["river", "stone", "light", "garden", "window", "paper", "signal", "orbit", "forest", "copper"];

function prompt(words: number, salt: number): string {
  const out: string[] = [`Request ${salt}:`];
  for (let i = 0; i < words; i++) out.push(WORDS[(i * 7 + salt) % WORDS.length]!);
  return out.join(" ");
}

/**
 * Runs `concurrency` generations at once. Prefill tok/s = prompt tokens of all / time until the last
 * first token; decode tok/s = tokens generated after each first token / the time after the last
 * first token (the stretch where all run decode together).
 */
export async function measure(engine: Pick<Engine, "generate">, opts: MeasureOptions): Promise<BenchmarkRow> {
  const now = opts.now ?? (() => performance.now());
  const start = now();
  const results = await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, i) => {
      const g = engine.generate({ messages: [{ role: "user", content: prompt(opts.promptWords, i + opts.concurrency * 31) }], maxTokens: opts.maxTokens, temperature: 0 });
      for await (const _d of g) {
        // drain
      }
      return g.result;
    }),
  );
  const wall = now() - start;
  const promptTokens = results.reduce((s, r) => s + r.usage.promptTokens, 0);
  const completionTokens = results.reduce((s, r) => s + r.usage.completionTokens, 0);
  const lastFirst = Math.max(...results.map((r) => r.timings.ttftMs ?? r.timings.totalMs));
  const decodeTokens = results.reduce((s, r) => s + Math.max(0, r.usage.completionTokens - 1), 0);
  const decodeMs = Math.max(1, wall - lastFirst);
  return {
    concurrency: opts.concurrency,
    prefill_tps: round1((promptTokens * 1000) / Math.max(1, lastFirst)),
    decode_tps: round1((decodeTokens * 1000) / decodeMs),
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function renderBenchmarkTable(rows: readonly BenchmarkRow[]): string {
  const header = ["CONCURRENCY", "PREFILL tok/s", "DECODE tok/s", "PROMPT tok", "GEN tok"];
  const lines = rows.map((r) => [String(r.concurrency), r.prefill_tps.toFixed(1), r.decode_tps.toFixed(1), String(r.prompt_tokens), String(r.completion_tokens)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((cols) => cols.map((c, i) => c.padStart(widths[i]!)).join("  ")).join("\n");
}
