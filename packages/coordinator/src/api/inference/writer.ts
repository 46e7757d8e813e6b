import type { ServerResponse } from "node:http";
import type { PrivacyMode, SealedChunk, SealedReceipt } from "@darkbloom/protocol";
import type { HttpError } from "../../http/index.js";
import type { LiveProvider } from "../../registry/index.js";
import { ConsumerStream, type ConsumerStreamOptions } from "../../relay/index.js";
import type { ReceiptView } from "./receipt-check.js";

/** How one privacy mode turns provider chunks into the consumer's HTTP response. */
export interface ResponseWriter {
  readonly privacy: PrivacyMode;
  /**
   * Handles one sealed chunk; throws when the chunk cannot be used. Returns true when it went to
   * the consumer now, false when it is held until `complete` (a non-streaming body).
   */
  chunk(chunk: SealedChunk, provider: LiveProvider, first: boolean): boolean;
  /** Throws unless the stream reached its final chunk intact (checked before billing). */
  checkComplete(): void;
  /** What this mode can see of the provider's receipt (coordinator-sealed opens the sealed copy). */
  receiptView(sealed: SealedReceipt | undefined): ReceiptView;
  /** Finishes a successful response; e2e relays the sealed receipt to the consumer first. */
  complete(provider: LiveProvider, sealedReceipt?: SealedReceipt): void;
  /** Ends the response with an error: a status when nothing was sent yet, else in-band. */
  fail(err: HttpError): void;
  /** Releases timers and key material. */
  dispose(): void;
}

export type StreamOptions = Omit<ConsumerStreamOptions, "onOverflow"> & { onOverflow: () => void };

export function providerHeaders(p: LiveProvider): Record<string, string> {
  return { "x-provider-id": p.id, "x-provider-trust-level": p.trustLevel };
}

/**
 * Sets 200 SSE headers and returns the back-pressured stream. The headers are not flushed on
 * their own: the caller writes the first event at once, and both leave in one syscall (one
 * wake-up of the consumer instead of two).
 */
export function openEventStream(res: ServerResponse, p: LiveProvider, opts: StreamOptions): ConsumerStream {
  res.writeHead(200, {
    ...providerHeaders(p),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  });
  return new ConsumerStream(res, opts);
}
