import type { Clock, TimerHandle } from "../runtime/index.js";
import type { Lane } from "../registry/index.js";

/** The transport under a LaneWriter (a `ws` WebSocket satisfies it). */
export interface FrameSink {
  send(data: string, cb: (err?: Error) => void): void;
}

export interface LaneWriterOptions {
  clock: Clock;
  /** Bytes handed to the sink and not yet flushed before we hold further frames back. */
  highWaterBytes: number;
  /** Queued writes making no progress this long → `onStuck` (the caller drops the connection). */
  writeTimeoutMs: number;
  onStuck: () => void;
}

/**
 * Two-lane writer for one provider connection. Control frames (cancel, …) overtake queued data
 * frames (inference_request); order within a lane is FIFO. Frames are released to the socket
 * only while less than `highWaterBytes` are unflushed, so a control frame never waits behind a
 * deep data backlog. A watchdog fires `onStuck` when writes stop making progress.
 */
export class LaneWriter {
  private readonly control: string[] = [];
  private readonly data: string[] = [];
  private unflushedBytes = 0;
  private unflushedFrames = 0;
  private lastProgressAt = 0;
  private watchdog: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly opts: LaneWriterOptions,
  ) {}

  get pendingFrames(): number {
    return this.control.length + this.data.length + this.unflushedFrames;
  }

  send(frame: string, lane: Lane): boolean {
    if (this.closed) return false;
    (lane === "control" ? this.control : this.data).push(frame);
    this.pump();
    return true;
  }

  /** Drops everything still queued; no further writes. */
  close(): void {
    this.closed = true;
    this.control.length = 0;
    this.data.length = 0;
    if (this.watchdog !== undefined) this.opts.clock.clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private pump(): void {
    while (!this.closed && (this.unflushedFrames === 0 || this.unflushedBytes < this.opts.highWaterBytes)) {
      const frame = this.control.length > 0 ? this.control.shift() : this.data.shift();
      if (frame === undefined) break;
      const size = Buffer.byteLength(frame);
      if (this.unflushedFrames === 0) this.lastProgressAt = this.opts.clock.now();
      this.unflushedBytes += size;
      this.unflushedFrames++;
      this.armWatchdog();
      this.sink.send(frame, (err) => this.onFlushed(size, err));
    }
  }

  private onFlushed(size: number, err: Error | undefined): void {
    this.unflushedBytes -= size;
    this.unflushedFrames--;
    this.lastProgressAt = this.opts.clock.now();
    if (err) return; // the socket is closing; its close handler cleans up
    this.pump();
  }

  private armWatchdog(): void {
    if (this.watchdog !== undefined) return;
    const check = () => {
      this.watchdog = undefined;
      if (this.closed || this.pendingFrames === 0) return;
      const idle = this.opts.clock.now() - this.lastProgressAt;
      if (idle >= this.opts.writeTimeoutMs) {
        this.close();
        this.opts.onStuck();
        return;
      }
      this.watchdog = this.opts.clock.setTimeout(check, this.opts.writeTimeoutMs - idle);
    };
    this.watchdog = this.opts.clock.setTimeout(check, this.opts.writeTimeoutMs);
  }
}
