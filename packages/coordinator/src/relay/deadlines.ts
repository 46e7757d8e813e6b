import type { Clock, TimerHandle } from "../runtime/index.js";

/** SPEC: the first token is due 5 s + 1 ms per input token after dispatch… */
export const FIRST_TOKEN_BASE_MS = 5_000;
export const FIRST_TOKEN_MS_PER_INPUT_TOKEN = 1;
/** …and never sooner than this many times the prefill the provider's observed speed predicts. */
export const PREFILL_SAFETY_FACTOR = 2;
/**
 * A non-streaming body arrives as one chunk after the whole decode. Observed decode speed is
 * measured per stream and drops as the provider batches more requests or its machine gets busy, so
 * the margin is wider than for prefill: a stalled provider is still caught, an honest busy one is not.
 */
export const DECODE_SAFETY_FACTOR = 4;

/**
 * The first-token deadline for a prompt of `inputTokens` on a provider whose slot reports
 * `prefillTps` (tokens/s; 0 or unknown: no prefill bound), so slow CPU providers are not failed
 * spuriously on long prompts.
 */
export function firstTokenDeadlineMs(inputTokens: number, prefillTps: number | undefined, baseMs: number = FIRST_TOKEN_BASE_MS): number {
  const tokens = Math.max(0, inputTokens);
  const spec = baseMs + FIRST_TOKEN_MS_PER_INPUT_TOKEN * tokens;
  if (!prefillTps || !Number.isFinite(prefillTps) || prefillTps <= 0) return spec;
  return Math.max(spec, Math.ceil((PREFILL_SAFETY_FACTOR * tokens * 1000) / prefillTps));
}

export interface FirstChunkInput {
  inputTokens: number;
  maxTokens: number;
  stream: boolean;
  /** The provider slot's observed speeds (tokens/s; 0 or missing: not measured yet). */
  prefillTps?: number | undefined;
  decodeTps?: number | undefined;
  /** The fixed part of the first-token deadline (SPEC: 5 s; DARKBLOOM_FIRST_TOKEN_BASE_MS). */
  baseMs?: number;
}

/**
 * When the first chunk is due after dispatch, or undefined for no such deadline. Streaming: the
 * first-token deadline. Non-streaming: the provider sends the whole body as one chunk at the end,
 * so DECODE_SAFETY_FACTOR × the decode of max_tokens at its observed decode speed is added; with no measured
 * decode speed there is no first-chunk deadline (the hard maximum still applies).
 */
export function firstChunkDeadlineMs(i: FirstChunkInput): number | undefined {
  const first = firstTokenDeadlineMs(i.inputTokens, i.prefillTps, i.baseMs);
  if (i.stream) return first;
  const tps = i.decodeTps;
  if (!tps || !Number.isFinite(tps) || tps <= 0) return undefined;
  return first + Math.ceil((DECODE_SAFETY_FACTOR * Math.max(0, i.maxTokens) * 1000) / tps);
}

/** Which deadline passed. */
export type DeadlineKind = "first_token" | "idle" | "max_duration";

export interface DeadlineOutcome {
  /** Log line (warn). */
  log: string;
  /** Sent to the provider in the `cancel` frame. */
  cancelReason: string;
  status: number;
  code: string;
  message: string;
  /** Try another provider (before the first chunk only): the first-token deadline. */
  failOver: boolean;
}

/** What a passed deadline means for the request: always cancel; fail over only before any chunk. */
export function deadlineOutcome(kind: DeadlineKind, maxRequestMs: number): DeadlineOutcome {
  switch (kind) {
    case "first_token":
      return {
        log: "provider missed its first-token deadline",
        cancelReason: "first-token deadline passed",
        status: 504,
        code: "provider_timeout",
        message: "The provider did not start answering in time.",
        failOver: true,
      };
    case "idle":
      return {
        log: "provider stalled mid-stream",
        cancelReason: "stream idle timeout",
        status: 504,
        code: "provider_stalled",
        message: "The provider stopped sending mid-stream.",
        failOver: false,
      };
    case "max_duration":
      return {
        log: "request exceeded its maximum duration",
        cancelReason: "request exceeded its maximum duration",
        status: 504,
        code: "request_timeout",
        message: `The request exceeded the maximum duration of ${Math.round(maxRequestMs / 1000)} s.`,
        failOver: false,
      };
  }
}

/**
 * The timers of one in-flight request: the hard maximum duration (from start), the first-token
 * deadline (per dispatch) and, once chunks flow, the inter-chunk idle timeout. The idle timer is
 * not re-armed per chunk (one clear + set per token would cost CPU on the hot path): chunks only
 * stamp the time, and the timer re-arms itself for the remainder when it fires early.
 */
export class FlightTimers {
  private maxTimer: TimerHandle | undefined;
  private firstTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  private lastChunkAt = 0;
  private watching = false;

  constructor(
    private readonly clock: Clock,
    private readonly idleMs: number,
    maxMs: number,
    private readonly onExpire: (kind: DeadlineKind) => void,
  ) {
    this.maxTimer = clock.setTimeout(() => {
      this.maxTimer = undefined;
      this.stopWatching();
      onExpire("max_duration");
    }, maxMs);
  }

  /** A request frame went out: the first chunk is due within `ms` (undefined: no deadline). */
  awaitFirstToken(ms: number | undefined): void {
    this.stopWatching();
    this.watching = true;
    if (ms === undefined) return;
    this.firstTimer = this.clock.setTimeout(() => {
      this.firstTimer = undefined;
      if (!this.watching) return;
      this.watching = false;
      this.onExpire("first_token");
    }, ms);
  }

  /** A chunk arrived: the first one switches from the first-token deadline to the idle timeout. */
  sawChunk(): void {
    this.lastChunkAt = this.clock.now();
    if (this.firstTimer !== undefined) {
      this.clock.clearTimeout(this.firstTimer);
      this.firstTimer = undefined;
    }
    if (this.idleTimer === undefined && this.watching) this.armIdle(this.idleMs);
  }

  /** No more waiting on the provider (failover, cancel): first-token and idle timers stop. */
  stopWatching(): void {
    this.watching = false;
    if (this.firstTimer !== undefined) this.clock.clearTimeout(this.firstTimer);
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.firstTimer = undefined;
    this.idleTimer = undefined;
  }

  clear(): void {
    this.stopWatching();
    if (this.maxTimer !== undefined) this.clock.clearTimeout(this.maxTimer);
    this.maxTimer = undefined;
  }

  private armIdle(ms: number): void {
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.watching) return;
      const quiet = this.clock.now() - this.lastChunkAt;
      if (quiet < this.idleMs) return this.armIdle(this.idleMs - quiet);
      this.watching = false;
      this.onExpire("idle");
    }, ms);
  }
}
