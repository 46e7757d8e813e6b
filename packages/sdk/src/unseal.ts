import {
  createSseParser,
  createStreamOpener,
  E2eErrorEventSchema,
  parseSealedChunk,
  SealError,
  type SseEvent,
  type StreamOpener,
} from "@darkbloom/protocol";
import type { ErrorInfo } from "./http.js";

/** One step of a decrypted e2e response. */
export type UnsealedPart = { kind: "data"; bytes: Uint8Array } | { kind: "error"; error: ErrorInfo } | { kind: "done" };

const DRAIN_MS = 10_000;

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

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly responseKeys: Map<string, Uint8Array>,
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
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.reader.read();
      } catch (err) {
        if (err instanceof Error && err.name === "AbortError") throw err;
        return this.settle({ kind: "error", error: e2eError("e2e stream interrupted before its final chunk", "e2e_stream_interrupted") });
      }
      if (chunk.done) {
        this.parser.push(this.decoder.decode());
        this.parser.end();
        if (this.events.length > 0) continue;
        return this.settle({ kind: "error", error: e2eError("e2e stream ended without its final chunk (truncated)", "e2e_truncated") });
      }
      this.parser.push(this.decoder.decode(chunk.value, { stream: true }));
    }
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
      if (this.opener.done) this.finished = true;
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
}
