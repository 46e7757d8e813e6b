import type { LiveProvider } from "../registry/index.js";
import type { ReputationSnapshot, ReputationTracker } from "../reputation/index.js";

/** At most this many providers are listed in /v1/stats (highest reputation first). */
export const MAX_LISTED_PROVIDERS = 500;

/** One connected provider in /v1/stats: public facts only (no keys, no owner, no address). */
export interface ProviderStats {
  id: string;
  models: string[];
  trust_level: string;
  version: string;
  reputation: {
    score: number;
    uptime: number;
    jobs: { total: number; succeeded: number; failed: number; success_rate: number };
    ttft_ms: { ewma: number | null; p50: number | null; samples: number };
    challenges: { passed: number; failed: number; pass_rate: number };
    disputes: number;
    /** ms since epoch when this coordinator first saw the provider (reputation is per run). */
    first_seen_at: number;
  } | null;
}

function reputationFields(r: ReputationSnapshot | undefined): ProviderStats["reputation"] {
  if (!r) return null;
  return {
    score: r.score,
    uptime: r.uptime,
    jobs: { total: r.jobs.total, succeeded: r.jobs.succeeded, failed: r.jobs.failed, success_rate: r.jobs.successRate },
    ttft_ms: r.ttftMs,
    challenges: { passed: r.challenges.passed, failed: r.challenges.failed, pass_rate: r.challenges.passRate },
    disputes: r.disputes,
    first_seen_at: r.firstSeenAt,
  };
}

/** Connected routable providers with their reputation, best first, bounded. */
export function providerStats(providers: Iterable<LiveProvider>, reputation: ReputationTracker): ProviderStats[] {
  const out: ProviderStats[] = [];
  for (const p of providers) {
    if (p.trustLevel === "none") continue;
    out.push({
      id: p.id,
      models: [...p.models.keys()].sort(),
      trust_level: p.trustLevel,
      version: p.version,
      reputation: reputationFields(reputation.snapshot(p.id)),
    });
  }
  out.sort((a, b) => (b.reputation?.score ?? 0) - (a.reputation?.score ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out.slice(0, MAX_LISTED_PROVIDERS);
}
