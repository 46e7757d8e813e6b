import { randomUUID } from "node:crypto";
import type { Store } from "@darkbloom/coordinator";

export interface ChatLoad {
  requests: number;
  ok: number;
  requestsPerSec: number;
  /** Client-side latency of each successful request, sorted (ms). */
  latencyMs: number[];
  /** Failed responses by status and error code, e.g. `503 no_provider: 12`. */
  failures: Record<string, number>;
  /** The coordinator's `reserve` phase from each response's X-Timing header, sorted (ms). */
  reserveMs: number[];
}

export interface ChatTarget {
  origin: string;
  apiKey: string;
  model: string;
}

/** `requests` non-streaming 1-token completions, `concurrency` at a time. */
export async function runChatLoad(target: ChatTarget, concurrency: number, requests: number): Promise<ChatLoad> {
  let next = 0;
  let ok = 0;
  const latencyMs: number[] = [];
  const reserveMs: number[] = [];
  const failures: Record<string, number> = {};
  const body = JSON.stringify({ model: target.model, max_tokens: 1, messages: [{ role: "user", content: "Hi" }] });
  const t0 = performance.now();
  const worker = async () => {
    while (next < requests) {
      next++;
      const started = performance.now();
      const res = await fetch(`${target.origin}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${target.apiKey}`, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      if (!res.ok) {
        const code = /"code":"([a-z_]+)"/.exec(text)?.[1] ?? "?";
        failures[`${res.status} ${code}`] = (failures[`${res.status} ${code}`] ?? 0) + 1;
        continue;
      }
      ok++;
      latencyMs.push(performance.now() - started);
      const reserve = /(?:^|,)reserve=([\d.]+)/.exec(res.headers.get("x-timing") ?? "")?.[1];
      if (reserve !== undefined) reserveMs.push(Number(reserve));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - t0;
  const sort = (a: number[]) => a.sort((x, y) => x - y);
  return { requests, ok, failures, requestsPerSec: (ok / wallMs) * 1000, latencyMs: sort(latencyMs), reserveMs: sort(reserveMs) };
}

export interface StoreLoad {
  pairsPerSec: number;
  reserveMs: number[];
  settleMs: number[];
  /** reserve + settle of one request: what billing adds to its latency (ms, sorted). */
  pairMs: number[];
}

/** `pairs` reserve→settle sequences on one account (the hot case), `concurrency` at a time. */
export async function runBillingLoad(store: Store, concurrency: number, pairs: number): Promise<StoreLoad> {
  const acct = await store.createAccount({ label: "bench" });
  await store.credit({ accountId: acct.id, amountMicros: pairs * 10_000, idempotencyKey: `bench-${acct.id}`, kind: "grant" });
  let next = 0;
  const reserveMs: number[] = [];
  const settleMs: number[] = [];
  const pairMs: number[] = [];
  const t0 = performance.now();
  const worker = async () => {
    while (next < pairs) {
      next++;
      const requestId = `bench-${randomUUID()}`;
      const a = performance.now();
      const r = await store.reserve({ requestId, accountId: acct.id, amountMicros: 5_000, model: "bench" });
      const b = performance.now();
      if (!r.ok) throw new Error("bench account ran dry");
      await store.settle({ requestId, chargeMicros: 300, promptTokens: 5, completionTokens: 1, providerId: "bench", outcome: "completed" });
      const c = performance.now();
      reserveMs.push(b - a);
      settleMs.push(c - b);
      pairMs.push(c - a);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - t0;
  const check = await store.checkLedger();
  if (check.postingSum !== 0 || check.unbalancedEntries !== 0 || check.driftedAccounts !== 0) throw new Error(`ledger unbalanced after the run: ${JSON.stringify(check)}`);
  const sort = (x: number[]) => x.sort((p, q) => p - q);
  return { pairsPerSec: (pairMs.length / wallMs) * 1000, reserveMs: sort(reserveMs), settleMs: sort(settleMs), pairMs: sort(pairMs) };
}
