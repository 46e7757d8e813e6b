import type { ServerResponse } from "node:http";
import type { Clock, TimerHandle } from "../runtime/index.js";

export interface ConsumerStreamOptions {
  clock: Clock;
  /** Chunks the consumer may leave unread (queued behind a full socket buffer). */
  maxBufferedChunks: number;
  /** Once that many are queued, how long the consumer gets to drain before we give up. */
  graceMs: number;
  /** The consumer is too slow: the caller answers 499 and cancels the provider. */
  onOverflow: () => void;
}

/**
 * Writes a response stream with back-pressure accounting. Every chunk is written (never dropped);
 * chunks written while the socket buffer is above its high-water mark count as buffered until
 * 'drain'. When the buffer holds `maxBufferedChunks`, one grace period starts; if the consumer has
 * not drained by then, `onOverflow` fires once.
 */
export class ConsumerStream {
  private buffered = 0;
  private graceTimer: TimerHandle | undefined;
  private overflowed = false;
  private readonly onDrain = () => {
    this.buffered = 0;
    this.clearGrace();
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: ConsumerStreamOptions,
  ) {
    res.on("drain", this.onDrain);
  }

  get bufferedChunks(): number {
    return this.buffered;
  }

  write(data: string | Uint8Array): void {
    if (this.overflowed || this.res.destroyed || this.res.writableEnded) return;
    const needDrain = this.res.writableNeedDrain;
    const ok = this.res.write(data);
    if (ok && !needDrain) return;
    this.buffered++;
    if (this.buffered >= this.opts.maxBufferedChunks && this.graceTimer === undefined) {
      this.graceTimer = this.opts.clock.setTimeout(() => {
        this.graceTimer = undefined;
        if (!this.res.writableNeedDrain) return;
        this.overflowed = true;
        this.opts.onOverflow();
      }, this.opts.graceMs);
    }
  }

  end(data?: string | Uint8Array): void {
    this.dispose();
    if (this.res.destroyed || this.res.writableEnded) return;
    if (data !== undefined) this.res.end(data);
    else this.res.end();
  }

  dispose(): void {
    this.clearGrace();
    this.res.off("drain", this.onDrain);
  }

  private clearGrace(): void {
    if (this.graceTimer !== undefined) this.opts.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }
}
