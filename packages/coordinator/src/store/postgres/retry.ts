/**
 * Which PostgreSQL failures end a transaction that may simply be run again, and how long to wait
 * first. SERIALIZABLE transactions abort with 40001 when a concurrent one committed a conflicting
 * write (e.g. two settlements on one account); 40P01 is a deadlock victim. Both are safe to retry
 * because the whole transaction, reads included, runs again.
 *
 * A unique violation (23505) can be the same conflict in disguise: PostgreSQL reports it instead
 * of 40001 when the transaction's earlier reads were on another table (e.g. two coordinators
 * settling one request both insert its `settle:` ledger entry). Run again, the loser sees the
 * winner's rows and replays. A genuine duplicate fails the same way each time, so those retries
 * are few (`maxUniqueAttempts`).
 */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(["40001", "40P01"]);
export const UNIQUE_VIOLATION = "23505";

export type RetryKind = "conflict" | "unique";

export function retryKind(err: unknown): RetryKind | null {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== "string") return null;
  if (RETRYABLE_SQLSTATES.has(code)) return "conflict";
  return code === UNIQUE_VIOLATION ? "unique" : null;
}

export interface RetryPolicy {
  /** Attempts in total for serialization failures and deadlocks, the first included. */
  maxAttempts: number;
  /** Attempts in total when the failure is a unique violation. */
  maxUniqueAttempts: number;
  /** Backoff before retry n is uniform in [0, min(capMs, baseMs * 2^(n-1))] ("full jitter"). */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 30, maxUniqueAttempts: 3, baseMs: 2, capMs: 100 };

export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(retry - 1, 0));
  return Math.floor(random() * ceiling);
}
