import type { ServerResponse } from "node:http";
import {
  PRIVACY_COORDINATOR_SEALED,
  createStreamOpener,
  streamErrorEvent,
  type ErrorFormat,
  type SealedChunk,
  type StreamOpener,
} from "@darkbloom/protocol";
import { sendError, sendRawJson, type HttpError } from "../../http/index.js";
import type { LiveProvider } from "../../registry/index.js";
import type { ConsumerStream } from "../../relay/index.js";
import { openEventStream, providerHeaders, type ResponseWriter, type StreamOptions } from "./writer.js";

/**
 * coordinator-sealed: opens each chunk with this request's response key and writes the plaintext
 * bytes unchanged (they are already the API family's SSE events, or its whole JSON body when not
 * streaming). An error after the stream started goes in-band in the family's shape.
 */
export class SealedWriter implements ResponseWriter {
  readonly privacy = PRIVACY_COORDINATOR_SEALED;
  private opener: StreamOpener | undefined;
  private stream: ConsumerStream | undefined;
  private readonly parts: Uint8Array[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly streaming: boolean,
    private readonly errorFormat: ErrorFormat,
    private readonly streamOpts: StreamOptions,
    /** Response key per provider this request was sealed to; held in memory for this request only. */
    private readonly responseKeys: Map<LiveProvider, Uint8Array>,
  ) {}

  chunk(chunk: SealedChunk, provider: LiveProvider, first: boolean): boolean {
    if (first) {
      const key = this.responseKeys.get(provider);
      if (!key) throw new Error("no response key for the serving provider");
      this.opener = createStreamOpener(key);
    }
    const plaintext = this.opener!.open(chunk);
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
