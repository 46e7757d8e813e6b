import type { LiveProvider } from "../registry/index.js";

/** What admission needs to know about one request (clear routing metadata only). */
export interface AdmissionRequest {
  model: string;
  /** Prompt tokens the coordinator expects (input estimate). */
  inputTokensEstimate: number;
  maxTokens: number;
  /** Extra candidate gate (e2e: the provider's kid is among the sealed recipients). */
  accept?: (p: LiveProvider) => boolean;
}

/** Token budget held on one provider for one dispatched request; released exactly once. */
export interface BudgetHold {
  readonly provider: LiveProvider;
  readonly model: string;
  readonly tokens: number;
}

/** Admitted: dispatch to `hold.provider` first; the hold moves to the relay, which releases it. */
export interface Grant {
  readonly hold: BudgetHold;
  /** Milliseconds spent waiting in the queue (0 when admitted at once). */
  readonly waitedMs: number;
}

export type RefusalReason = "queue_full" | "wait_too_long" | "queue_timeout" | "no_provider" | "cancelled" | "shutting_down";

/** Not admitted: 429 (capacity) or 503 (no provider any more); `retryAfterS` for the header. */
export interface Refusal {
  readonly status: 429 | 503 | 499;
  readonly reason: RefusalReason;
  readonly message: string;
  readonly retryAfterS: number;
}

export type AdmissionResult = { ok: true; grant: Grant } | { ok: false; refusal: Refusal };

/** One request waiting for capacity; `settle` is called exactly once by whoever removes it. */
export interface Waiter {
  readonly request: AdmissionRequest;
  readonly enqueuedAt: number;
  settle(result: AdmissionResult): void;
}

/**
 * Per-model FIFO of requests waiting for capacity. Kept behind this interface so a later step can
 * share the queue across coordinators (NATS) without touching admission logic.
 */
export interface AdmissionQueue {
  /** Appends at the back; false when the model's queue already holds `limit` waiters. */
  push(model: string, waiter: Waiter, limit: number): boolean;
  /** The oldest waiter for `model`, still queued. */
  head(model: string): Waiter | undefined;
  /** Removes `waiter` wherever it is; false when it had already left. */
  remove(model: string, waiter: Waiter): boolean;
  depth(model: string): number;
  /** Models with at least one waiter. */
  models(): Iterable<string>;
}
