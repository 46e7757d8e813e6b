/** One provider's reputation at a point in time (this coordinator run; nothing is stored). */
export interface ReputationSnapshot {
  providerId: string;
  /** [0, 1], formula in score.ts. */
  score: number;
  connected: boolean;
  firstSeenAt: number;
  /** Connected time over the time since first seen, [0, 1]. */
  uptime: number;
  jobs: { total: number; succeeded: number; failed: number; successRate: number };
  ttftMs: { ewma: number | null; p50: number | null; samples: number };
  challenges: { passed: number; failed: number; passRate: number };
  disputes: number;
}

export interface JobRecord {
  ok: boolean;
  /** Dispatch to first chunk, when there was one. */
  ttftMs?: number | undefined;
}
