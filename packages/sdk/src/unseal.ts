import {
  createSseParser,
  createStreamOpener,
  E2eErrorEventSchema,
  parseSealedChunk,
  SealedReceiptSchema,
  SealError,
  SSE_EVENT_RECEIPT,
  type SealedChunk,
  type SseEvent,
  type StreamOpener,
} from "@darkbloom/protocol";
import type { ErrorInfo } from "./http.js";

/**
 * One step of a decrypted e2e response. `receipt`: the provider's sealed usage receipt, opened
 * (null: it came but did not authenticate); it follows the final chunk.
 */
export type UnsealedPart =
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "receipt"; bytes: Uint8Array | null }
  | { kind: "error"; error: ErrorInfo }
  | { kind: "done" };

export interface SealedStreamOptions {
  /** Wait for the receipt after the final chunk (default false: done at the final chunk). */
  expectReceipt?: boolean;
  /** Called with each chunk and its plaintext, in order, once it opened. */
  onChunk?: (chunk: SealedChunk, plaintext: Uint8Array) => void;
  /** Called with the opened receipt (null: it came but did not open), before its part is returned. */
  onReceipt?: (bytes: Uint8Array | null) => void;
}

const DRAIN_MS = 10_000;
/** After the final chunk, how long the receipt may take (the coordinator settles billing first). */
const RECEIPT_WAIT_MS = 10_000;

function e2eError(message: string, code: string): ErrorInfo {
  return { message, type: "api_error", code };
}

/**
 * Reads the coordinator's sealed SSE stream and yields decrypted bytes. The first sealed chunk
 * picks the provider (by kid) whose response key opens the stream; chunks under any other kid,
 * out of order, replayed, tampered or after the final one end the stream with an error, and so
 * does an end of stream before the final chunk (truncation).
 */
export class SealedStreamReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private readonly parser = createSseParser((ev) => this.events.push(ev));
  private readonly events: SseEvent[] = [];
  private opener: StreamOpener | undefined;
  private kid: string | undefined;
  private finished = false;
  /** The final chunk was opened; waiting for the receipt. */
  private afterFinal = false;
  private receiptDeadline: number | undefined;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly responseKeys: Map<string, Uint8Array>,
    private readonly opts: SealedStreamOptions = {},
  ) {
    this.reader = body.getReader();
  }

  /** The kid of the provider that answered, once known. */
  get providerKid(): string | undefined {
    return this.kid;
  }

  async next(): Promise<UnsealedPart> {
    if (this.finished) return { kind: "done" };
    for (;;) {
      const ev = this.events.shift();
      if (ev) {
        const part = this.handle(ev);
        if (part) return this.settle(part);
        continue;
      }
      let chunk: ReadableStreamReadResult<Uint8Array> | undefined;
      try {
        chunk = await this.read();
      } catch (err) {
        if (err instanceof Error && err.name === "AbortError") throw err;
        if (this.afterFinal) return this.endAfterFinal();
        return this.settle({ kind: "error", error: e2eError("e2e stream interrupted before its final chunk", "e2e_stream_interrupted") });
      }
      if (chunk === undefined) return this.endAfterFinal(); // the receipt did not come in time
      if (chunk.done) {
        this.parser.push(this.decoder.decode());
        this.parser.end();
        if (this.events.length > 0) continue;
        if (this.afterFinal) return this.endAfterFinal();
        return this.settle({ kind: "error", error: e2eError("e2e stream ended without its final chunk (truncated)", "e2e_truncated") });
      }
      this.parser.push(this.decoder.decode(chunk.value, { stream: true }));
    }
  }

  /** The next upstream read; undefined when the receipt's wait ran out. */
  private async read(): Promise<ReadableStreamReadResult<Uint8Array> | undefined> {
    if (!this.afterFinal) return this.reader.read();
    this.receiptDeadline ??= Date.now() + RECEIPT_WAIT_MS;
    const left = this.receiptDeadline - Date.now();
    if (left <= 0) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, left, undefined)));
    try {
      return await Promise.race([this.reader.read(), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The stream ended (or the wait ran out) after the final chunk without a receipt. */
  private endAfterFinal(): UnsealedPart {
    this.finished = true;
    this.events.length = 0;
    void this.reader.cancel().catch(() => undefined);
    return { kind: "done" };
  }

  /** Stops reading the upstream body. */
  async cancel(reason?: unknown): Promise<void> {
    this.finished = true;
    await this.reader.cancel(reason).catch(() => undefined);
  }

  private settle(part: UnsealedPart): UnsealedPart {
    if (part.kind === "error") {
      this.finished = true;
      this.events.length = 0;
      void this.reader.cancel().catch(() => undefined);
    }
    return part;
  }

  /**
   * After the final chunk, reads the rest of the upstream body (ignored) so the coordinator sees
   * a completed response rather than a disconnect; gives up after DRAIN_MS.
   */
  private drain(): void {
    const timer = setTimeout(() => void this.reader.cancel().catch(() => undefined), DRAIN_MS);
    (timer as { unref?: () => void }).unref?.();
    const loop = async (): Promise<void> => {
      for (;;) {
        const r = await this.reader.read();
        if (r.done) return;
      }
    };
    void loop()
      .catch(() => undefined)
      .finally(() => clearTimeout(timer));
  }

  private handle(ev: SseEvent): UnsealedPart | undefined {
    if (ev.event === SSE_EVENT_RECEIPT) return this.afterFinal ? this.openReceipt(ev.data) : undefined;
    if (this.afterFinal && ev.event === "error") return undefined; // everything was delivered already
    if (ev.event === "error") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(ev.data);
      } catch {
        parsed = undefined;
      }
      const r = E2eErrorEventSchema.safeParse(parsed);
      return { kind: "error", error: r.success ? r.data.error : e2eError("upstream error (unreadable error event)", "e2e_upstream_error") };
    }
    if (ev.event !== "sealed") return undefined;
    let json: unknown;
    try {
      json = JSON.parse(ev.data);
    } catch {
      json = undefined;
    }
    const chunk = parseSealedChunk(json);
    if (!chunk) return { kind: "error", error: e2eError("malformed sealed chunk", "e2e_bad_chunk") };
    if (!this.opener) {
      const key = this.responseKeys.get(chunk.kid);
      if (!key) return { kind: "error", error: e2eError(`sealed chunk for unknown kid ${chunk.kid}`, "e2e_unknown_kid") };
      this.opener = createStreamOpener(key);
      this.kid = chunk.kid;
    } else if (chunk.kid !== this.kid) {
      return { kind: "error", error: e2eError(`sealed chunk from a second provider (${chunk.kid})`, "e2e_kid_mismatch") };
    }
    try {
      const bytes = this.opener.open(chunk);
      this.opts.onChunk?.(chunk, bytes);
      if (this.opener.done && this.opts.expectReceipt) this.afterFinal = true;
      else if (this.opener.done) this.finished = true;
      if (this.finished) {
        this.events.length = 0;
        this.drain();
      }
      return { kind: "data", bytes };
    } catch (err) {
      const code = err instanceof SealError ? `e2e_${err.code}` : "e2e_decrypt_failed";
      return { kind: "error", error: e2eError(err instanceof Error ? err.message : "sealed chunk rejected", code) };
    }
  }

  /** Opens the receipt event; then the stream is done (the rest is drained). */
  private openReceipt(data: string): UnsealedPart {
    let bytes: Uint8Array | null = null;
    try {
      const sealed = SealedReceiptSchema.safeParse(JSON.parse(data));
      if (sealed.success && sealed.data.kid === this.kid && this.opener) bytes = this.opener.openReceipt(sealed.data);
    } catch {
      bytes = null;
    }
    this.afterFinal = false;
    this.finished = true;
    this.events.length = 0;
    this.drain();
    this.opts.onReceipt?.(bytes);
    return { kind: "receipt", bytes };
  }
}
