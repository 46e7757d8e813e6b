import { errorFields, type Logger } from "../log/index.js";
import type { Clock, TimerHandle } from "../runtime/index.js";
import type { HeldReservation, Store } from "../store/index.js";
import type { Meter } from "./meter.js";

export interface SweeperDeps {
  store: Pick<Store, "heldReservations">;
  meter: Pick<Meter, "settle" | "isOpen">;
  clock: Clock;
  logger: Logger;
  /** The longest a request may run: reservations older than this are settled or released. */
  maxAgeMs: number;
  /** How often to sweep after the first sweep at start. */
  everyMs: number;
  /** Rows per query; a sweep pages through all of them. */
  batch?: number;
}

export interface ReservationSweeper {
  /** One sweep now (joins a running one); resolves with the number of reservations it settled. */
  sweep(): Promise<number>;
  /** No further sweeps; resolves once a running sweep ends. */
  stop(): Promise<void>;
}

/**
 * Settles every reservation older than the longest possible request: from its delivery
 * checkpoint when one was recorded (the consumer received that much), else releases it. Runs at
 * start (a crashed predecessor's holds) and every `everyMs`. Requests this process is still
 * settling are left to it, unless they are twice as old as any request may be. Idempotent: the
 * store settles each request id once.
 */
export function startReservationSweeper(deps: SweeperDeps): ReservationSweeper {
  const batch = deps.batch ?? 100;
  let timer: TimerHandle | undefined;
  let stopped = false;
  let running: Promise<number> | undefined;

  const settleOne = async (r: HeldReservation): Promise<boolean> => {
    const result = await deps.meter.settle({
      requestId: r.requestId,
      model: r.model,
      usage: r.delivered && { promptTokens: r.delivered.promptTokens, completionTokens: r.delivered.completionTokens },
      providerId: r.delivered?.providerId ?? null,
      providerAccountId: r.delivered?.providerAccountId ?? null,
      accountId: r.accountId,
      outcome: "expired",
      reservedMicros: r.reservedMicros,
    });
    if (!result || result.replay) return false;
    deps.logger.warn("settled an expired reservation", {
      internal_id: r.requestId,
      age_ms: deps.clock.now() - r.createdAt,
      charged_micros: result.chargedMicros,
      refunded_micros: result.refundedMicros,
      from_checkpoint: r.delivered !== null,
    });
    return true;
  };

  const sweepOnce = async (): Promise<number> => {
    const now = deps.clock.now();
    const cutoff = now - deps.maxAgeMs;
    let settled = 0;
    const seen = new Set<string>(); // at most one attempt per request per sweep
    for (;;) {
      const limit = batch + seen.size;
      const rows = await deps.store.heldReservations(cutoff, limit);
      const fresh = rows.filter((r) => !seen.has(r.requestId));
      for (const r of fresh) {
        seen.add(r.requestId);
        if (deps.meter.isOpen(r.requestId) && now - r.createdAt < 2 * deps.maxAgeMs) continue;
        if (await settleOne(r)) settled++;
      }
      if (fresh.length === 0 || rows.length < limit) return settled;
    }
  };

  const sweep = (): Promise<number> =>
    (running ??= sweepOnce()
      .catch((err: unknown) => {
        deps.logger.error("reservation sweep failed", errorFields(err));
        return 0;
      })
      .finally(() => {
        running = undefined;
      }));

  const schedule = () => {
    if (stopped) return;
    timer = deps.clock.setTimeout(() => {
      timer = undefined;
      void sweep().finally(schedule);
    }, deps.everyMs);
  };
  void sweep().finally(schedule);

  return {
    sweep,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) deps.clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
