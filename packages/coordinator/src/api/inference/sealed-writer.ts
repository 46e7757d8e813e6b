import type { ServerResponse } from "node:http";
import {
  PRIVACY_COORDINATOR_SEALED,
  ResponseTextMeter,
  createStreamOpener,
  streamErrorEvent,
  type ApiKind,
  type ErrorFormat,
  type SealedChunk,
  type SealedReceipt,
  type StreamOpener,
} from "@darkbloom/protocol";
import { sendError, sendRawJson, type HttpError } from "../../http/index.js";
import type { LiveProvider } from "../../registry/index.js";
import type { ConsumerStream } from "../../relay/index.js";
import { parseOpenedReceipt, type ReceiptView } from "./receipt-check.js";
import { openEventStream, providerHeaders, type ResponseWriter, type StreamOptions } from "./writer.js";

/**
 * coordinator-sealed: opens each chunk with this request's response key and writes the plaintext
 * bytes unchanged (they are already the API family's SSE events, or its whole JSON body when not
 * streaming). An error after the stream started goes in-band in the family's shape. It also
 * measures the generated text and opens the sealed receipt, so the coordinator checks the
 * provider's usage claim against what it relayed (the consumer here is a plain client).
 */
export class SealedWriter implements ResponseWriter {
  readonly privacy = PRIVACY_COORDINATOR_SEALED;
  private opener: StreamOpener | undefined;
  private stream: ConsumerStream | undefined;
  private readonly parts: Uint8Array[] = [];
  private readonly meter: ResponseTextMeter;

  constructor(
    private readonly res: ServerResponse,
    api: ApiKind,
    private readonly streaming: boolean,
    private readonly errorFormat: ErrorFormat,
    private readonly streamOpts: StreamOptions,
    /** Response key per provider this request was sealed to; held in memory for this request only. */
    private readonly responseKeys: Map<LiveProvider, Uint8Array>,
  ) {
    this.meter = new ResponseTextMeter(api, streaming);
  }

  chunk(chunk: SealedChunk, provider: LiveProvider, first: boolean): boolean {
    if (first) {
      const key = this.responseKeys.get(provider);
      if (!key) throw new Error("no response key for the serving provider");
      this.opener = createStreamOpener(key);
    }
    const plaintext = this.opener!.open(chunk);
    this.meter.push(plaintext);
    if (!this.streaming) {
      this.parts.push(plaintext);
      return false;
    }
    this.stream ??= openEventStream(this.res, provider, this.streamOpts);
    this.stream.write(plaintext);
    return true;
  }

  checkComplete(): void {
    if (!this.opener) throw new Error("the provider sent no response");
    this.opener.finish();
  }

  receiptView(sealed: SealedReceipt | undefined): ReceiptView {
    const { textBytes } = this.meter.finish();
    let opened: ReceiptView["opened"] = null;
    if (sealed && this.opener) {
      try {
        opened = parseOpenedReceipt(this.opener.openReceipt(sealed));
      } catch {
        opened = null;
      }
    }
    return { opened, textBytes };
  }

  complete(provider: LiveProvider): void {
    if (this.streaming) this.stream?.end();
    else sendRawJson(this.res, 200, Buffer.concat(this.parts), providerHeaders(provider));
  }

  fail(err: HttpError): void {
    if (!this.stream) return sendError(this.res, err, this.errorFormat);
    this.stream.write(streamErrorEvent(this.errorFormat, err.status, err.message, err.code));
    this.stream.end();
  }

  dispose(): void {
    this.stream?.dispose();
    for (const key of this.responseKeys.values()) key.fill(0);
    this.responseKeys.clear();
    this.parts.length = 0;
  }
}
