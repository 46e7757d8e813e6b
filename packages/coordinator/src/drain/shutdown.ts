import type { Logger } from "../log/index.js";
import type { Clock } from "../runtime/index.js";
import type { DrainGate, DrainReason } from "./gate.js";

/** After the grace: how long ended streams get to flush their error event to the consumer. */
export const FLUSH_AFTER_ABORT_MS = 5_000;
/** How long settlements already started may take before the store closes under them. */
export const SETTLE_WAIT_MS = 10_000;

export interface ShutdownDeps {
  gate: DrainGate;
  clock: Clock;
  logger: Logger;
  /** DARKBLOOM_SHUTDOWN_GRACE_MS: in-flight requests may finish within this. */
  graceMs: number;
  flushMs?: number;
  settleWaitMs?: number;
  /** Requests the relay still serves. */
  relayInFlight(): number;
  /**
   * Resolves once the relay serves nothing (a request whose consumer left may still await its
   * provider's usage report before settling).
   */
  relayIdle(): Promise<void>;
  /** Ends every request still running with a clean error (503, or an error event in a stream). */
  abortAll(message: string): void;
  /** Resolves once the settlements started so far have finished. */
  settled(): Promise<void>;
  /** Provider sockets, the listener, the store: everything else, last. */
  closeEverything(): Promise<void>;
}

export interface ShutdownSummary {
  reason: DrainReason;
  /** Every admitted request finished within the grace period. */
  finishedInGrace: boolean;
  /** Requests still open when the grace ended (ended with an error). */
  aborted: number;
}

/** Resolves true when `p` settles within `ms`, false otherwise (the timer never keeps us alive). */
export function within(p: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clock.clearTimeout(timer);
        resolve(true);
      },
      () => {
        clock.clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

/**
 * Graceful drain, then stop: no new inference (503 + Retry-After, /readyz 503) while admitted
 * requests run to their end within the grace period; then the rest end with a clean error (an
 * error event in a stream, 503 otherwise) and are billed for what they delivered; then the
 * settlements, provider sockets, listener and store close, in that order.
 */
export async function drainAndStop(deps: ShutdownDeps, reason: DrainReason): Promise<ShutdownSummary> {
  const { gate, clock, logger } = deps;
  gate.start(reason);
  logger.info("draining", { reason, in_flight: gate.inFlight, relay_in_flight: deps.relayInFlight(), grace_ms: deps.graceMs });
  const idle = () => Promise.all([gate.whenIdle(), deps.relayIdle()]);
  const finishedInGrace = await within(idle(), deps.graceMs, clock);
  const aborted = finishedInGrace ? 0 : gate.inFlight;
  if (!finishedInGrace) {
    logger.warn("shutdown grace over; ending the requests still running", { in_flight: aborted, relay_in_flight: deps.relayInFlight() });
    deps.abortAll("The coordinator is shutting down; this request was ended before it finished. Retry it.");
    if (!(await within(idle(), deps.flushMs ?? FLUSH_AFTER_ABORT_MS, clock))) {
      logger.warn("responses still open after the flush window; closing their connections", { in_flight: gate.inFlight });
    }
  }
  if (!(await within(deps.settled(), deps.settleWaitMs ?? SETTLE_WAIT_MS, clock))) {
    logger.error("settlements still running at shutdown; the reservation sweeper settles them at the next start");
  }
  await deps.closeEverything();
  return { reason, finishedInGrace, aborted };
}
