import OpenAI from "openai";
import { percentile } from "../load.js";

/** Sampling every server gets, so the engines do the same work per token. */
export interface Sampling {
  temperature: number;
  top_p: number;
  top_k: number;
  seed: number;
}

export interface LevelResult {
  concurrency: number;
  /** Completion tokens of all streams over the wall time of the level. */
  aggregateTps: number;
  ttftP50: number;
  ttftP99: number;
  /** Median over streams of (tokens − 1) / (last token − first token). */
  perStreamTps: number;
}

const PROMPTS = [
  "Describe the sea at night in a few sentences.",
  "Write a short poem about mountains and rivers.",
  "Explain how bread is made, step by step.",
  "List some colors of autumn leaves and where they come from.",
];

interface StreamResult {
  ttftMs: number;
  tokens: number;
  decodeMs: number;
}

async function one(client: OpenAI, model: string, maxTokens: number, sampling: Sampling, i: number): Promise<StreamResult> {
  const t0 = performance.now();
  // `top_k`, `seed` and `cache_prompt` are llama-server extensions our `local` server ignores or
  // honours identically (its own top-k default is `sampling.top_k`, see main.ts).
  const body = {
    model,
    messages: [{ role: "user" as const, content: PROMPTS[i % PROMPTS.length]! }],
    max_tokens: maxTokens,
    stream: true as const,
    stream_options: { include_usage: true },
    temperature: sampling.temperature,
    top_p: sampling.top_p,
    seed: sampling.seed + i,
    top_k: sampling.top_k,
    cache_prompt: false,
  };
  const stream = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsStreaming);
  let first = -1;
  let last = t0;
  let deltas = 0;
  let usage = -1;
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta?.content;
    if (content) {
      const now = performance.now();
      if (first < 0) first = now;
      last = now;
      deltas++;
    }
    if (chunk.usage) usage = chunk.usage.completion_tokens;
  }
  const tokens = usage >= 0 ? usage : deltas;
  return { ttftMs: first - t0, tokens, decodeMs: last - first };
}

/** `concurrency` streams at once, `rounds` times over; one figure set for the level. */
export async function measureLevel(baseURL: string, model: string, concurrency: number, maxTokens: number, sampling: Sampling, waves = 2): Promise<LevelResult> {
  const client = new OpenAI({ baseURL, apiKey: "bench", maxRetries: 0, timeout: 600_000 });
  const results: StreamResult[] = [];
  const t0 = performance.now();
  for (let w = 0; w < waves; w++) {
    results.push(...(await Promise.all(Array.from({ length: concurrency }, (_, i) => one(client, model, maxTokens, sampling, w * concurrency + i)))));
  }
  const wallMs = performance.now() - t0;
  const ttft = results.map((r) => r.ttftMs).sort((a, b) => a - b);
  const perStream = results.filter((r) => r.tokens > 1 && r.decodeMs > 0).map((r) => ((r.tokens - 1) / r.decodeMs) * 1000).sort((a, b) => a - b);
  return {
    concurrency,
    aggregateTps: (results.reduce((n, r) => n + r.tokens, 0) / wallMs) * 1000,
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    perStreamTps: percentile(perStream, 50),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
