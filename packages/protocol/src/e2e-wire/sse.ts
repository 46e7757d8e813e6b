import type { SealedChunk, SealedReceipt } from "../seal/stream.js";
import type { E2eErrorInfo } from "./schemas.js";

/** SSE event names on the coordinator → consumer e2e response stream. */
export const SSE_EVENT_SEALED = "sealed";
export const SSE_EVENT_ERROR = "error";
/** After the final chunk: the provider's receipt, sealed (clients that do not know it ignore it). */
export const SSE_EVENT_RECEIPT = "receipt";

/** `event: receipt\ndata: <SealedReceipt JSON>\n\n` */
export function encodeReceiptEvent(sealed: SealedReceipt): string {
  return `event: ${SSE_EVENT_RECEIPT}\ndata: ${JSON.stringify({ kid: sealed.kid, ct: sealed.ct })}\n\n`;
}

/** `event: sealed\ndata: <SealedChunk JSON>\n\n` */
export function encodeSealedEvent(chunk: SealedChunk): string {
  const { kid, seq, final, salt, ct } = chunk;
  const json = JSON.stringify(salt === undefined ? { kid, seq, final, ct } : { kid, seq, final, salt, ct });
  return `event: ${SSE_EVENT_SEALED}\ndata: ${json}\n\n`;
}

/** `event: error\ndata: {"error":{"message","type","code"}}\n\n` */
export function encodeErrorEvent(err: E2eErrorInfo): string {
  const error = { message: err.message, type: err.type, code: err.code ?? null, ...(err.param !== undefined ? { param: err.param } : {}) };
  return `event: ${SSE_EVENT_ERROR}\ndata: ${JSON.stringify({ error })}\n\n`;
}

export interface SseEvent {
  /** The `event:` field, "message" when absent. */
  event: string;
  /** `data:` lines joined with "\n". */
  data: string;
  /** The `id:` field, when present. */
  id?: string;
}

export interface SseParser {
  /** Feeds decoded text; events are emitted as soon as their terminating blank line arrives. */
  push(text: string): void;
  /** End of input: an unterminated trailing event is discarded (per the SSE spec). */
  end(): void;
}

/**
 * Incremental parser following the WHATWG event-stream rules: lines end with \n, \r\n or \r
 * (also when a \r\n pair is split across pushes), `:` lines are comments, one leading space after
 * the colon is dropped, blank lines dispatch, events with no data are not dispatched.
 */
export function createSseParser(onEvent: (ev: SseEvent) => void): SseParser {
  let buf = "";
  let skipLf = false;
  let first = true;
  let event = "";
  let data: string[] = [];
  let id: string | undefined;

  const line = (l: string): void => {
    if (l === "") {
      if (data.length > 0) {
        const ev: SseEvent = { event: event || "message", data: data.join("\n") };
        if (id !== undefined) ev.id = id;
        event = "";
        data = [];
        onEvent(ev);
      } else {
        event = "";
      }
      return;
    }
    if (l.charCodeAt(0) === 58 /* : */) return;
    const colon = l.indexOf(":");
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? "" : l.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) id = value;
  };

  return {
    push(text) {
      if (text.length === 0) return;
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (skipLf && text.charCodeAt(0) === 10) text = text.slice(1);
      skipLf = false;
      // `buf` holds only an unterminated line, so scanning resumes where the last push stopped.
      const from = buf.length;
      buf += text;
      let start = 0;
      const n = buf.length;
      for (let i = from; i < n; i++) {
        const c = buf.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(buf.slice(start, i));
        if (c === 13) {
          if (i + 1 < n) {
            if (buf.charCodeAt(i + 1) === 10) i++;
          } else {
            skipLf = true;
          }
        }
        start = i + 1;
      }
      buf = start === 0 ? buf : buf.slice(start);
    },
    end() {
      buf = "";
      data = [];
      event = "";
    },
  };
}
