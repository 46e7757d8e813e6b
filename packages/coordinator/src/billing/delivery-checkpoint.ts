import { errorFields, type Logger } from "../log/index.js";
import type { Clock, TimerHandle } from "../runtime/index.js";
import type { DeliveryInput, Store } from "../store/index.js";

export const CHECKPOINT_INTERVAL_MS = 1_000;

interface Pending {
  latest: DeliveryInput;
  /** The trailing write is scheduled; updates until then only replace `latest`. */
  timer: TimerHandle | undefined;
  dirty: boolean;
}

/**
 * Write-behind checkpoint of what each request delivered, so a reservation whose coordinator died
 * (SIGKILL) is settled by the sweeper from the delivered count instead of being released. The
 * first delivery is written at once, later ones at most once per `intervalMs` per request — never
 * a write per token. Losing the last interval on a crash under-bills, never over-bills.
 */
export class DeliveryCheckpoints {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly store: Pick<Store, "recordDelivery">,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  /** Requests with a checkpoint timer (tests, shutdown). */
  get size(): number {
    return this.pending.size;
  }

  update(delivery: DeliveryInput): void {
    const p = this.pending.get(delivery.requestId);
    if (p) {
      p.latest = delivery;
      p.dirty = true;
      return;
    }
    const entry: Pending = { latest: delivery, timer: undefined, dirty: false };
    this.pending.set(delivery.requestId, entry);
    this.write(delivery);
    this.arm(entry);
  }

  /** The request settled: drop its pending write (a late write is harmless, only wasted). */
  done(requestId: string): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    this.pending.delete(requestId);
  }

  private arm(entry: Pending): void {
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      if (this.pending.get(entry.latest.requestId) !== entry) return;
      if (!entry.dirty) {
        this.pending.delete(entry.latest.requestId); // quiet: the next update writes at once
        return;
      }
      entry.dirty = false;
      this.write(entry.latest);
      this.arm(entry);
    }, this.intervalMs);
  }

  private write(d: DeliveryInput): void {
    this.store.recordDelivery(d).catch((err: unknown) => {
      this.logger.warn("delivery checkpoint failed", { internal_id: d.requestId, ...errorFields(err) });
    });
  }
}
