import type OpenAI from "openai";
import { percentile, streamChat } from "./load.js";

/** One streamed request's outcome under load: served (with TTFT) or refused (with its status). */
export interface Outcome {
  status: number;
  ttftMs?: number;
  tokens: number;
  retryAfter?: string;
}

export interface BurstStats {
  concurrency: number;
  wallMs: number;
  outcomes: Outcome[];
}

async function one(client: OpenAI, model: string, maxTokens: number, i: number): Promise<Outcome> {
  try {
    const { ttftMs, tokens } = await streamChat(client, model, maxTokens, i);
    return { status: 200, tokens, ...(ttftMs >= 0 && { ttftMs }) };
  } catch (err) {
    const e = err as { status?: number; headers?: Headers | Record<string, string> };
    const retryAfter = e.headers instanceof Headers ? e.headers.get("retry-after") : e.headers?.["retry-after"];
    return { status: e.status ?? 0, tokens: 0, ...(retryAfter && { retryAfter }) };
  }
}

/**
 * `concurrency` requests at once, each client worker sending `perWorker` in a row; refusals are
 * recorded, not retried. `clients` are used round-robin by worker (several direct servers, or one
 * coordinator).
 */
export async function burst(clients: OpenAI[], model: string, concurrency: number, perWorker: number, maxTokens: number): Promise<BurstStats> {
  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      const client = clients[w % clients.length]!;
      for (let k = 0; k < perWorker; k++) outcomes.push(await one(client, model, maxTokens, w * perWorker + k));
    }),
  );
  return { concurrency, wallMs: performance.now() - t0, outcomes };
}

export function summarize(s: BurstStats): { ok: number; byStatus: string; rps: number; ttftP50: number; ttftP99: number; tokPerSec: number } {
  const ok = s.outcomes.filter((o) => o.status === 200);
  const ttft = ok.flatMap((o) => (o.ttftMs === undefined ? [] : [o.ttftMs])).sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (const o of s.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const byStatus = [...counts].sort(([a], [b]) => a - b).map(([k, v]) => `${k}×${v}`).join(" ");
  const tokens = ok.reduce((n, o) => n + o.tokens, 0);
  return { ok: ok.length, byStatus, rps: (ok.length / s.wallMs) * 1000, ttftP50: percentile(ttft, 50), ttftP99: percentile(ttft, 99), tokPerSec: (tokens / s.wallMs) * 1000 };
}
