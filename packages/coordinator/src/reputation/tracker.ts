import { reputationScore } from "./score.js";
import type { JobRecord, ReputationSnapshot } from "./types.js";
import { OutcomeWindow, SampleWindow } from "./window.js";

export interface ReputationOptions {
  now: () => number;
  /** Providers remembered at most; past it the least recently active disconnected one goes. */
  maxProviders?: number;
  /** A provider disconnected and silent this long is forgotten. */
  forgetAfterMs?: number;
  /** Weight of a new TTFT sample in the EWMA. */
  ttftAlpha?: number;
}

export const DEFAULT_MAX_PROVIDERS = 10_000;
export const DEFAULT_FORGET_AFTER_MS = 24 * 3_600_000;
const JOB_WINDOW = 100;
const CHALLENGE_WINDOW = 50;
const TTFT_WINDOW = 64;

interface Entry {
  firstSeenAt: number;
  lastActiveAt: number;
  /** Closed connected intervals, summed. */
  connectedMs: number;
  /** Open connections (a provider id may briefly have two while one replaces the other). */
  connections: number;
  connectedSince: number;
  jobs: OutcomeWindow;
  challenges: OutcomeWindow;
  ttft: SampleWindow;
  ttftEwma: number | null;
  disputes: number;
}

/**
 * Per-provider reputation: job success, uptime, TTFT, challenge pass rate, disputes. Pure state and
 * an injected clock; held in memory for this coordinator run (no store). Bounded: at most
 * `maxProviders` entries, disconnected ones forgotten after `forgetAfterMs`. Writers: the relay
 * (job results), the provider socket (connect/close), attestation challenges, disputes.
 * Readers: /v1/stats, routing (later).
 */
export class ReputationTracker {
  /** Insertion order = least recently active first (an entry is moved to the end on activity). */
  private readonly entries = new Map<string, Entry>();
  private readonly maxProviders: number;
  private readonly forgetAfterMs: number;
  private readonly alpha: number;

  constructor(private readonly opts: ReputationOptions) {
    this.maxProviders = opts.maxProviders ?? DEFAULT_MAX_PROVIDERS;
    this.forgetAfterMs = opts.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS;
    this.alpha = opts.ttftAlpha ?? 0.2;
  }

  get size(): number {
    return this.entries.size;
  }

  recordConnected(providerId: string): void {
    const now = this.opts.now();
    const e = this.touch(providerId, now);
    if (e.connections++ === 0) e.connectedSince = now;
  }

  recordDisconnected(providerId: string): void {
    if (!this.entries.get(providerId)?.connections) return;
    const now = this.opts.now();
    const e = this.touch(providerId, now);
    if (--e.connections === 0) e.connectedMs += Math.max(0, now - e.connectedSince);
  }

  recordJob(providerId: string, job: JobRecord): void {
    const e = this.touch(providerId);
    e.jobs.push(job.ok);
    if (job.ttftMs !== undefined && Number.isFinite(job.ttftMs) && job.ttftMs >= 0) {
      e.ttft.push(job.ttftMs);
      e.ttftEwma = e.ttftEwma === null ? job.ttftMs : e.ttftEwma + this.alpha * (job.ttftMs - e.ttftEwma);
    }
  }

  recordChallenge(providerId: string, passed: boolean): void {
    this.touch(providerId).challenges.push(passed);
  }

  recordDispute(providerId: string): void {
    this.touch(providerId).disputes++;
  }

  /**
   * The disputes stored against the provider (they outlive a coordinator run): raises the count to
   * at least `stored`; a no-op for a provider not tracked.
   */
  seedDisputes(providerId: string, stored: number): void {
    const e = this.entries.get(providerId);
    if (e && Number.isInteger(stored) && stored > e.disputes) e.disputes = stored;
  }

  snapshot(providerId: string): ReputationSnapshot | undefined {
    const e = this.entries.get(providerId);
    if (!e) return undefined;
    const now = this.opts.now();
    const connected = e.connections > 0;
    const connectedMs = e.connectedMs + (connected ? Math.max(0, now - e.connectedSince) : 0);
    const span = now - e.firstSeenAt;
    const uptime = span <= 0 ? (connected ? 1 : 0) : Math.min(1, connectedMs / span);
    const success = e.jobs.smoothedRate();
    const passRate = e.challenges.smoothedRate();
    const round = (x: number) => Math.round(x * 10_000) / 10_000;
    return {
      providerId,
      score: reputationScore({ success, uptime, challenges: passRate, ttftEwmaMs: e.ttftEwma, disputes: e.disputes }),
      connected,
      firstSeenAt: e.firstSeenAt,
      uptime: round(uptime),
      jobs: { total: e.jobs.total, succeeded: e.jobs.okTotal, failed: e.jobs.total - e.jobs.okTotal, successRate: round(success) },
      ttftMs: { ewma: e.ttftEwma === null ? null : Math.round(e.ttftEwma), p50: e.ttft.median(), samples: e.ttft.count },
      challenges: { passed: e.challenges.okTotal, failed: e.challenges.total - e.challenges.okTotal, passRate: round(passRate) },
      disputes: e.disputes,
    };
  }

  /** The entry for `providerId`, created if new, moved to the most-recently-active end. */
  private touch(providerId: string, now = this.opts.now()): Entry {
    let e = this.entries.get(providerId);
    if (e) this.entries.delete(providerId);
    else {
      this.prune(now);
      e = {
        firstSeenAt: now,
        lastActiveAt: now,
        connectedMs: 0,
        connections: 0,
        connectedSince: now,
        jobs: new OutcomeWindow(JOB_WINDOW),
        challenges: new OutcomeWindow(CHALLENGE_WINDOW),
        ttft: new SampleWindow(TTFT_WINDOW),
        ttftEwma: null,
        disputes: 0,
      };
    }
    e.lastActiveAt = now;
    this.entries.set(providerId, e);
    return e;
  }

  /** Forgets long-disconnected providers; at the cap, the least recently active disconnected one. */
  private prune(now: number): void {
    const cutoff = now - this.forgetAfterMs;
    for (const [id, e] of this.entries) {
      if (e.lastActiveAt >= cutoff) break;
      if (e.connections === 0) this.entries.delete(id);
    }
    if (this.entries.size < this.maxProviders) return;
    let victim: string | undefined;
    for (const [id, e] of this.entries) {
      if (e.connections === 0) {
        victim = id;
        break;
      }
    }
    this.entries.delete(victim ?? this.entries.keys().next().value!);
  }
}
