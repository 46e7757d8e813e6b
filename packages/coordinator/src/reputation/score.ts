/**
 * The reputation score, in [0, 1]:
 *
 *   score = (0.4·success + 0.2·uptime + 0.2·challenges + 0.2·ttft) × 0.8^disputes
 *
 * - success: job success rate over the provider's last 100 jobs, Laplace-smoothed
 *   ((ok + 1) / (n + 2)), so a newcomer starts at 0.5 and one job cannot make it 0 or 1;
 * - uptime: time connected over the time since the coordinator first saw it (this run);
 * - challenges: attestation challenge pass rate over the last 50, smoothed the same way;
 * - ttft: TTFT_REFERENCE_MS / max(TTFT_REFERENCE_MS, EWMA of its dispatch-to-first-chunk time):
 *   1 at or under 2 s, 0.5 at 4 s; 1 before any sample;
 * - disputes: each dispute against its receipts multiplies the score by 0.8.
 */
export const SCORE_WEIGHTS = { success: 0.4, uptime: 0.2, challenges: 0.2, ttft: 0.2 } as const;
export const DISPUTE_FACTOR = 0.8;
export const TTFT_REFERENCE_MS = 2_000;

export interface ScoreInputs {
  success: number;
  uptime: number;
  challenges: number;
  /** EWMA TTFT in ms, or null before any sample. */
  ttftEwmaMs: number | null;
  disputes: number;
}

export function ttftFactor(ttftEwmaMs: number | null): number {
  if (ttftEwmaMs === null) return 1;
  return TTFT_REFERENCE_MS / Math.max(TTFT_REFERENCE_MS, ttftEwmaMs);
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

export function reputationScore(i: ScoreInputs): number {
  const base =
    SCORE_WEIGHTS.success * clamp01(i.success) +
    SCORE_WEIGHTS.uptime * clamp01(i.uptime) +
    SCORE_WEIGHTS.challenges * clamp01(i.challenges) +
    SCORE_WEIGHTS.ttft * clamp01(ttftFactor(i.ttftEwmaMs));
  return Math.round(clamp01(base * DISPUTE_FACTOR ** Math.max(0, i.disputes)) * 10_000) / 10_000;
}
