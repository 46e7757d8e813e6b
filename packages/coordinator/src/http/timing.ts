import type { ServerResponse } from "node:http";

/** Request phases reported in `Server-Timing` / `X-Timing` and the access log, in path order. */
export const TIMING_PHASES = ["parse", "auth", "reserve", "queue", "route", "dispatch", "ttft"] as const;
export type TimingPhase = (typeof TIMING_PHASES)[number];

const DESCRIPTIONS: Record<TimingPhase | "total", string> = {
  parse: "read + validate body",
  auth: "API key",
  reserve: "billing reserve",
  queue: "wait for capacity",
  route: "pick provider",
  dispatch: "seal + send to provider",
  ttft: "provider time to first token",
  total: "until response headers",
};

/**
 * Per-request latency breakdown (milliseconds, sub-millisecond resolution). Only phases a request
 * actually went through are reported (no zero placeholders). A phase accumulates
 * (failover can route and dispatch more than once). `headers()` reports what is known when the
 * response headers go out; `total` there is the time to headers, the access log has the full
 * total.
 */
export class RequestTiming {
  private readonly spent = new Map<TimingPhase, number>();
  private last: number;

  constructor(
    private readonly now: () => number,
    readonly startedAt = now(),
  ) {
    this.last = startedAt;
  }

  /** Starts timing a phase from now (the time since the previous mark is not attributed). */
  begin(): void {
    this.last = this.now();
  }

  /** Attributes the time since the previous mark (or `begin`) to `phase`. */
  mark(phase: TimingPhase): void {
    const t = this.now();
    this.add(phase, t - this.last);
    this.last = t;
  }

  add(phase: TimingPhase, ms: number): void {
    this.spent.set(phase, (this.spent.get(phase) ?? 0) + Math.max(0, ms));
  }

  /** True once any phase was recorded (routes that time themselves). */
  get active(): boolean {
    return this.spent.size > 0;
  }

  get(phase: TimingPhase): number | undefined {
    return this.spent.get(phase);
  }

  elapsed(): number {
    return this.now() - this.startedAt;
  }

  /** `parse=0.41,auth=0.05,…,total=4.31` (ms): the X-Timing value and the log's `timing` field. */
  compact(total = this.elapsed()): string {
    let out = "";
    for (const p of TIMING_PHASES) {
      const v = this.spent.get(p);
      if (v !== undefined) out += `${p}=${v.toFixed(2)},`;
    }
    return `${out}total=${total.toFixed(2)}`;
  }

  /** Standard Server-Timing (W3C) plus X-Timing for the phases known so far. */
  headers(): { "server-timing": string; "x-timing": string } {
    const total = this.elapsed();
    const parts: string[] = [];
    for (const p of TIMING_PHASES) {
      const v = this.spent.get(p);
      if (v !== undefined) parts.push(`${p};dur=${v.toFixed(2)};desc="${DESCRIPTIONS[p]}"`);
    }
    parts.push(`total;dur=${total.toFixed(2)};desc="${DESCRIPTIONS.total}"`);
    return { "server-timing": parts.join(", "), "x-timing": this.compact(total) };
  }

  /** Sets both headers on `res` unless its headers are already on the wire. */
  applyTo(res: ServerResponse): void {
    if (res.headersSent) return;
    const h = this.headers();
    res.setHeader("server-timing", h["server-timing"]);
    res.setHeader("x-timing", h["x-timing"]);
  }
}
