/** Progress of a download, rendered as a bar with rate and ETA on a TTY or plain periodic lines otherwise. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

/** Seconds as m:ss or h:mm:ss; `--:--` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export interface ProgressSnapshot {
  done: number;
  total: number;
  /** Bytes per second over this session (undefined before any time has passed). */
  rate: number | undefined;
}

export function etaSeconds(s: ProgressSnapshot): number | undefined {
  if (s.rate === undefined || s.rate <= 0) return undefined;
  return (s.total - s.done) / s.rate;
}

/** `[#########-----------]  45%  12.3 MiB/27.0 MiB  3.1 MiB/s  ETA 0:05` */
export function formatBar(s: ProgressSnapshot, width = 24): string {
  const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 1;
  const filled = Math.round(frac * width);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const rate = s.rate === undefined ? "-- B/s" : `${formatBytes(s.rate)}/s`;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct}  ${formatBytes(s.done)}/${formatBytes(s.total)}  ${rate}  ETA ${formatDuration(etaSeconds(s))}`;
}

/** The plain (non-TTY) form: one line per report. */
export function formatLine(label: string, s: ProgressSnapshot): string {
  const pct = s.total > 0 ? Math.floor((Math.min(1, s.done / s.total)) * 100) : 100;
  const rate = s.rate === undefined ? "--" : `${formatBytes(s.rate)}/s`;
  return `${label}: ${pct}% ${formatBytes(s.done)}/${formatBytes(s.total)} ${rate} ETA ${formatDuration(etaSeconds(s))}`;
}

export interface ProgressOptions {
  label: string;
  total: number;
  tty: boolean;
  write(text: string): void;
  /** Milliseconds; injected so tests control time. */
  now(): number;
  /** Between plain lines (default 5 s); a TTY bar redraws at most every 100 ms. */
  lineIntervalMs?: number;
}

/** Throttled progress output; the rate counts only bytes fetched in this session (not resumed ones). */
export class ProgressReporter {
  private readonly startedAt: number;
  private baseline: number | undefined;
  private lastOutput = Number.NEGATIVE_INFINITY;
  private done = 0;

  constructor(private readonly opts: ProgressOptions) {
    this.startedAt = opts.now();
  }

  snapshot(): ProgressSnapshot {
    const elapsed = (this.opts.now() - this.startedAt) / 1000;
    const fetched = this.done - (this.baseline ?? this.done);
    return { done: this.done, total: this.opts.total, rate: elapsed > 0 ? fetched / elapsed : undefined };
  }

  /** `done`: bytes on disk so far (the first call sets what was already there). */
  update(done: number): void {
    this.baseline ??= done;
    this.done = done;
    const now = this.opts.now();
    const interval = this.opts.tty ? 100 : (this.opts.lineIntervalMs ?? 5000);
    if (now - this.lastOutput < interval) return;
    this.lastOutput = now;
    this.emit();
  }

  finish(): void {
    this.emit();
    if (this.opts.tty) this.opts.write("\n");
  }

  private emit(): void {
    const s = this.snapshot();
    if (this.opts.tty) this.opts.write(`\r${this.opts.label} ${formatBar(s)}`);
    else this.opts.write(`${formatLine(this.opts.label, s)}\n`);
  }
}
