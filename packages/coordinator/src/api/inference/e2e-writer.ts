import type { ServerResponse } from "node:http";
import {
  PRIVACY_E2E,
  SSE_EVENT_SEALED,
  encodeErrorEvent,
  encodeReceiptEvent,
  encodeSealedEvent,
  type ErrorFormat,
  type SealedChunk,
  type SealedReceipt,
} from "@darkbloom/protocol";
import { sendError, type HttpError } from "../../http/index.js";
import type { LiveProvider } from "../../registry/index.js";
import type { ConsumerStream } from "../../relay/index.js";
import { sealedChunkJson } from "../../ws/index.js";
import type { ReceiptView } from "./receipt-check.js";
import { openEventStream, type ResponseWriter, type StreamOptions } from "./writer.js";

/**
 * e2e: every sealed chunk goes straight out as `event: sealed`, then the provider's sealed receipt
 * as `event: receipt`; the coordinator can read neither.
 */
export class E2eWriter implements ResponseWriter {
  readonly privacy = PRIVACY_E2E;
  private stream: ConsumerStream | undefined;
  private sawFinal = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly streamOpts: StreamOptions,
    /** Shape of an error answered before the stream started (in-stream errors are Darkbloom's `event: error`). */
    private readonly errorFormat: ErrorFormat = "openai",
  ) {}

  chunk(chunk: SealedChunk, provider: LiveProvider): boolean {
    this.stream ??= openEventStream(this.res, provider, this.streamOpts);
    // The socket's fast path kept the chunk's canonical JSON: forward that text, don't re-serialise.
    const json = sealedChunkJson(chunk);
    this.stream.write(json !== undefined ? `event: ${SSE_EVENT_SEALED}\ndata: ${json}\n\n` : encodeSealedEvent(chunk));
    if (chunk.final) this.sawFinal = true;
    return true;
  }

  checkComplete(): void {
    if (!this.sawFinal) throw new Error("sealed stream ended without its final chunk");
  }

  receiptView(): ReceiptView {
    return {};
  }

  complete(_provider: LiveProvider, sealedReceipt?: SealedReceipt): void {
    if (sealedReceipt && this.stream) this.stream.write(encodeReceiptEvent(sealedReceipt));
    this.stream?.end();
  }

  fail(err: HttpError): void {
    if (!this.stream) return sendError(this.res, err, this.errorFormat);
    this.stream.write(encodeErrorEvent({ message: err.message, type: "api_error", code: err.code }));
    this.stream.end();
  }

  dispose(): void {
    this.stream?.dispose();
  }
}
