import type { SimProvider } from "./sim-provider.js";
import type { SimResult, SimSummary } from "./types.js";

/** Nearest-rank percentile (0 for an empty list). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function summarize(strategy: string, results: readonly SimResult[], providers: readonly SimProvider[], durationMs: number): SimSummary {
  const served = results.filter((r) => r.outcome === "served");
  const ttft = served.map((r) => r.ttftMs!);
  const queue = served.map((r) => r.queueMs);
  const done = served.map((r) => r.doneMs!);
  const available = providers.reduce((s, p) => s + p.presentMs * p.spec.slots * p.spec.models.length, 0);
  const busy = providers.reduce((s, p) => s + p.busySlotMs, 0);
  return {
    strategy,
    requests: results.length,
    served: served.length,
    rejected: results.filter((r) => r.outcome === "rejected_429").length,
    failed: results.filter((r) => r.outcome === "failed").length,
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    queueP50: percentile(queue, 50),
    queueP99: percentile(queue, 99),
    doneP50: percentile(done, 50),
    doneP99: percentile(done, 99),
    utilisation: available > 0 ? busy / available : 0,
    durationMs,
  };
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A fixed-width table, one row per strategy. */
export function renderTable(rows: readonly SimSummary[]): string {
  const header = ["strategy", "requests", "served", "429", "429 rate", "failed", "TTFT p50", "TTFT p99", "queue p50", "queue p99", "done p50", "done p99", "utilisation"];
  const body = rows.map((r) => [
    r.strategy,
    String(r.requests),
    String(r.served),
    String(r.rejected),
    pct(r.rejected / Math.max(1, r.requests)),
    String(r.failed),
    sec(r.ttftP50),
    sec(r.ttftP99),
    sec(r.queueP50),
    sec(r.queueP99),
    sec(r.doneP50),
    sec(r.doneP99),
    pct(r.utilisation),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
