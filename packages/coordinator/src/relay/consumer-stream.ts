import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
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

const CRLF = "\r\n";

/**
 * Writes a response stream with back-pressure accounting. Every chunk is written (never dropped);
 * chunks written while the socket buffer is above its high-water mark count as buffered until
 * 'drain'. When the buffer holds `maxBufferedChunks`, one grace period starts; if the consumer has
 * not drained by then, `onOverflow` fires once.
 *
 * Hot path: once the headers are on the wire (the first write sends them with the first chunk),
 * chunks go straight to the socket as HTTP/1.1 chunked-encoding frames, one `write` syscall each.
 * `res.write` would do the same through four corked socket writes, a nextTick and a writev, several
 * times the CPU per token; the coordinator's CPU competes with the inference engine when both run
 * on one machine. `res.end()` still writes the terminating chunk, after ours on the same socket.
 */
export class ConsumerStream {
  private buffered = 0;
  private graceTimer: TimerHandle | undefined;
  private overflowed = false;
  private drainSocket: Socket | undefined;
  /** The first chunk went through `res.write`, which put the pending headers on the socket. */
  private headersOut = false;
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
    // An empty chunk frame would end the chunked body; res.write skips empty data too.
    const socket = (typeof data === "string" ? data.length : data.byteLength) > 0 ? this.directSocket() : undefined;
    let ok: boolean;
    let needDrain: boolean;
    if (socket) {
      needDrain = socket.writableNeedDrain;
      ok = socket.write(chunkFrame(data));
    } else {
      needDrain = this.res.writableNeedDrain;
      ok = this.res.write(data);
      this.headersOut = true;
    }
    if (ok && !needDrain) return;
    this.buffered++;
    if (this.buffered >= this.opts.maxBufferedChunks && this.graceTimer === undefined) {
      this.graceTimer = this.opts.clock.setTimeout(() => {
        this.graceTimer = undefined;
        if (!this.needsDrain()) return;
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
    this.drainSocket?.off("drain", this.onDrain);
    this.drainSocket = undefined;
  }

  /**
   * The socket, when writing to it directly is equivalent to `res.write`: headers on the wire (a
   * chunk went through `res.write`; `headersSent` is already true after writeHead), chunked
   * encoding, nothing queued inside `res` (its writableLength counts only the socket's buffer).
   */
  private directSocket(): Socket | undefined {
    const { res } = this;
    const socket = res.socket;
    if (!this.headersOut || !socket || socket.destroyed || !res.chunkedEncoding) return undefined;
    if (res.writableLength !== socket.writableLength) return undefined;
    if (this.drainSocket !== socket) {
      this.drainSocket?.off("drain", this.onDrain);
      this.drainSocket = socket;
      socket.on("drain", this.onDrain);
    }
    return socket;
  }

  private needsDrain(): boolean {
    return this.res.writableNeedDrain || (this.drainSocket?.writableNeedDrain ?? false);
  }

  private clearGrace(): void {
    if (this.graceTimer !== undefined) this.opts.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }
}

/** One HTTP/1.1 chunk: size in hex, CRLF, data, CRLF. */
function chunkFrame(data: string | Uint8Array): string | Buffer {
  if (typeof data === "string") return `${Buffer.byteLength(data).toString(16)}${CRLF}${data}${CRLF}`;
  return Buffer.concat([Buffer.from(`${data.byteLength.toString(16)}${CRLF}`, "latin1"), data, Buffer.from(CRLF, "latin1")]);
}
