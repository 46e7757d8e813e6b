import type { Logger } from "../../log/index.js";

export const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Counts refused connections and logs them at a bounded rate: the first refusal of a quiet
 * period at once, then at most one summary line per interval while refusals continue.
 */
export class RefusalLog {
  private pending = 0;
  private readonly addresses = new Set<string>();
  private example: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  total = 0;

  constructor(
    private readonly logger: Logger,
    private readonly fields: { max_connections_per_ip: number },
    private readonly intervalMs: number = REFUSAL_LOG_INTERVAL_MS,
  ) {}

  record(address: string): void {
    this.total++;
    this.pending++;
    this.example ??= address;
    if (this.addresses.size < 1_000) this.addresses.add(address);
    if (this.timer === undefined) {
      this.flush();
      this.arm();
    }
  }

  /** Logs what is pending (if anything) and stops the timer. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending > 0) {
        this.flush();
        this.arm();
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  private flush(): void {
    if (this.pending === 0) return;
    this.logger.warn("connections refused: per-address cap reached", {
      refused: this.pending,
      addresses: this.addresses.size,
      example_address: this.example,
      ...this.fields,
      total_refused: this.total,
    });
    this.pending = 0;
    this.addresses.clear();
    this.example = undefined;
  }
}
