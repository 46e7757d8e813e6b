import type { BudgetHold, Grant } from "../admission/index.js";
import { checkChunkTokens } from "../billing/index.js";
import type { Logger } from "../log/index.js";
import type { LiveProvider } from "../registry/index.js";
import type { TimerHandle } from "../runtime/index.js";
import type { FlightTimers } from "./deadlines.js";
import { recordProviderFault } from "./faults.js";
import type { DispatchPlan, RelayFailure, RelayObserver } from "./types.js";

/**
 * A speculative second dispatch racing the primary before the first token (backup.ts), counted
 * only once sealed and sent (never half-dispatched). It has its own first-token deadline; whichever produces content first serves the request.
 */
export interface Backup {
  readonly provider: LiveProvider;
  readonly hold: BudgetHold | undefined;
  timer: TimerHandle | undefined;
  /** When its first-token deadline passes (clock ms). */
  deadlineAt: number;
  /** When it was sent (clock ms; the speed sample's start if it takes over). */
  readonly dispatchedAt: number;
}

/**
 * One in-flight request. Readers: the provider's frames (by request id), provider loss (by
 * provider), the consumer's cancel (handle). It leaves `flights` exactly once, through `finish`.
 */
export interface Flight {
  readonly plan: DispatchPlan;
  readonly observer: RelayObserver;
  provider: LiveProvider | null;
  /** Budget held on `provider` (released when the attempt ends). */
  hold: BudgetHold | undefined;
  /** Admission's pick and its hold, used by the first dispatch (released if unused). */
  grant: Grant | undefined;
  backup: Backup | undefined;
  /** Fires at half the first-token deadline to dispatch a backup. */
  speculationTimer: TimerHandle | undefined;
  readonly tried: Set<string>;
  attempts: number;
  started: boolean;
  phase: "dispatching" | "running" | "cancelling" | "done";
  cancelTimer: TimerHandle | undefined;
  lastFailure: RelayFailure | undefined;
  readonly timers: FlightTimers;
  /** The serving provider's running completion-token count (checked, clamped). */
  tokens: number;
  /** A bad token count was already counted against this attempt's provider. */
  tokenFault: boolean;
  /** When this attempt's request frame left, and its first chunk arrived (speed EWMAs). */
  dispatchedAt?: number;
  firstChunkAt?: number;
}

export function newFlight(plan: DispatchPlan, observer: RelayObserver, timers: FlightTimers, grant: Grant | undefined): Flight {
  return {
    plan,
    observer,
    provider: null,
    hold: undefined,
    grant,
    backup: undefined,
    speculationTimer: undefined,
    tried: new Set(),
    attempts: 0,
    started: false,
    phase: "dispatching",
    cancelTimer: undefined,
    lastFailure: undefined,
    timers,
    tokens: 0,
    tokenFault: false,
  };
}

/**
 * Takes a chunk's running completion-token count: one that went backwards or past max_tokens is
 * clamped, and counted against the provider once per attempt.
 */
export function advanceTokens(f: Flight, p: LiveProvider, claimed: number, logger: Logger): void {
  const check = checkChunkTokens(f.tokens, claimed, f.plan.maxTokens);
  if (check.fault && !f.tokenFault) {
    f.tokenFault = true;
    const kind = check.fault.reason === "decreased" ? "chunk.tokens_decreased" : "chunk.tokens_above_max_tokens";
    recordProviderFault(p, logger, { request_id: f.plan.requestId, kind, claimed: check.fault.claimed, allowed: check.fault.allowed });
  }
  f.tokens = check.tokens;
}
