import type OpenAI from "openai";

export interface RunStats {
  concurrency: number;
  requests: number;
  completionTokens: number;
  wallMs: number;
  /** Aggregate completion tokens per second over the whole run. */
  tokensPerSec: number;
  ttftMs: number[];
}

export interface LoadOptions {
  client: OpenAI;
  model: string;
  concurrency: number;
  requests: number;
  maxTokens: number;
}

const PROMPTS = [
  "Describe the sea at night.",
  "Write a short poem about mountains.",
  "Explain how bread is made.",
  "List some colors of autumn leaves.",
];

/**
 * One streamed chat request (the i-th of a run, prompts in rotation): TTFT (first content delta;
 * -1 when none came) and the usage-reported completion tokens. Errors propagate.
 */
export async function streamChat(client: OpenAI, model: string, maxTokens: number, i: number): Promise<{ ttftMs: number; tokens: number }> {
  const t0 = performance.now();
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: PROMPTS[i % PROMPTS.length] ?? "Hello" }],
    max_tokens: maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  });
  let ttftMs = -1;
  let tokens = 0;
  for await (const chunk of stream) {
    if (ttftMs < 0 && chunk.choices[0]?.delta.content) ttftMs = performance.now() - t0;
    if (chunk.usage) tokens = chunk.usage.completion_tokens;
  }
  return { ttftMs, tokens };
}

/** One request of a run that must produce exactly max_tokens. */
async function oneRequest(opts: LoadOptions, i: number): Promise<{ ttftMs: number; tokens: number }> {
  const r = await streamChat(opts.client, opts.model, opts.maxTokens, i);
  if (r.tokens !== opts.maxTokens) throw new Error(`expected ${opts.maxTokens} tokens, got ${r.tokens}`);
  return r;
}

/** Runs `requests` streamed requests with `concurrency` workers pulling from a shared counter. */
export async function runLoad(opts: LoadOptions): Promise<RunStats> {
  let next = 0;
  const ttftMs: number[] = [];
  let completionTokens = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let i = next++; i < opts.requests; i = next++) {
      const r = await oneRequest(opts, i);
      ttftMs.push(r.ttftMs);
      completionTokens += r.tokens;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const wallMs = performance.now() - t0;
  return {
    concurrency: opts.concurrency,
    requests: opts.requests,
    completionTokens,
    wallMs,
    tokensPerSec: (completionTokens / wallMs) * 1000,
    ttftMs: ttftMs.sort((a, b) => a - b),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}
