import type { ErrorCode } from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/index.js";

/**
 * How one dispatch to one provider ended, as far as the provider is answerable for it. A failover
 * attempt is a job of its own; a cancel by the consumer, a shutdown, an overloaded refusal or a bad
 * request are not reported (not the provider's failure, not its success).
 */
export interface JobResult {
  model: string;
  ok: boolean;
  /** Why it failed (relay failure code), when it did. */
  code?: string;
  /** Dispatch to first chunk. */
  ttftMs?: number;
  /** Completion tokens of a finished job (the provider's report). */
  completionTokens?: number;
  /** First chunk to completion. */
  decodeMs?: number;
}

/** Receives job results (reputation, metrics). Must not throw; the relay logs it if it does. */
export interface JobOutcomes {
  onJobResult(provider: LiveProvider, result: JobResult): void;
}

/** Provider error codes that say nothing about the provider's reliability. */
const NOT_THE_PROVIDERS_FAULT: ReadonlySet<ErrorCode> = new Set(["bad_request", "cancelled", "overloaded"]);

export function countsAgainstProvider(code: ErrorCode): boolean {
  return !NOT_THE_PROVIDERS_FAULT.has(code);
}

/** The result of the flight's current attempt, timed from its dispatch and first chunk. */
export function jobResult(
  at: { model: string; dispatchedAt: number | undefined; firstChunkAt: number | undefined },
  now: number,
  ok: boolean,
  extra: { code?: string; completionTokens?: number } = {},
): JobResult {
  const r: JobResult = { model: at.model, ok, ...extra };
  if (at.dispatchedAt !== undefined && at.firstChunkAt !== undefined) r.ttftMs = Math.max(0, at.firstChunkAt - at.dispatchedAt);
  if (ok && at.firstChunkAt !== undefined) r.decodeMs = Math.max(0, now - at.firstChunkAt);
  return r;
}
