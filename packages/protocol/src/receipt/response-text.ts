import type { ApiKind } from "../frames/common.js";
import { createSseParser, type SseParser } from "../e2e-wire/sse.js";

/** UTF-8 byte length of a string (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): number => (typeof v === "string" ? utf8Length(v) : 0);

/** Text bytes of a tool call's function (name and arguments: both are generated tokens). */
function fnBytes(call: unknown): number {
  const fn = obj(obj(call)?.function);
  return str(fn?.name) + str(fn?.arguments);
}

/** Generated text in one stream event of `api` (0 for events that repeat text or carry none). */
function eventText(api: ApiKind, e: Json): number {
  switch (api) {
    case "chat.completions":
      return arr(e.choices).reduce<number>((n, c) => {
        const d = obj(obj(c)?.delta);
        return n + str(d?.content) + arr(d?.tool_calls).reduce<number>((m, t) => m + fnBytes(t), 0);
      }, 0);
    case "completions":
      return arr(e.choices).reduce<number>((n, c) => n + str(obj(c)?.text), 0);
    case "responses":
      return e.type === "response.output_text.delta" || e.type === "response.function_call_arguments.delta" ? str(e.delta) : 0;
    case "messages": {
      if (e.type !== "content_block_delta") return 0;
      const d = obj(e.delta);
      return str(d?.text) + str(d?.partial_json);
    }
    case "messages.count_tokens":
      return 0;
  }
}

/** Generated text in a whole (non-streaming) body of `api`. */
function bodyText(api: ApiKind, b: Json): number {
  switch (api) {
    case "chat.completions":
      return arr(b.choices).reduce<number>((n, c) => {
        const m = obj(obj(c)?.message);
        return n + str(m?.content) + arr(m?.tool_calls).reduce<number>((k, t) => k + fnBytes(t), 0);
      }, 0);
    case "completions":
      return arr(b.choices).reduce<number>((n, c) => n + str(obj(c)?.text), 0);
    case "responses":
      return arr(b.output).reduce<number>((n, item) => {
        const o = obj(item);
        if (o?.type === "function_call") return n + str(o.name) + str(o.arguments);
        return n + arr(o?.content).reduce<number>((k, p) => k + str(obj(p)?.text), 0);
      }, 0);
    case "messages":
      return arr(b.content).reduce<number>((n, block) => {
        const o = obj(block);
        if (o?.type === "tool_use") return n + str(o.name) + utf8Length(JSON.stringify(o.input ?? null));
        return n + str(o?.text);
      }, 0);
    case "messages.count_tokens":
      return 0;
  }
}

const parse = (text: string): Json | undefined => {
  try {
    return obj(JSON.parse(text));
  } catch {
    return undefined;
  }
};

/**
 * Measures the generated text in a response rendered in `api`'s wire format (its SSE events when
 * streaming, its JSON body otherwise): the UTF-8 bytes of content and tool-call text, the one
 * thing a consumer can bound a completion-token claim by (a token is at least one byte).
 */
export class ResponseTextMeter {
  private bytes = 0;
  private deltas = 0;
  private readonly decoder = new TextDecoder();
  private readonly parser: SseParser | undefined;
  private body = "";

  constructor(
    private readonly api: ApiKind,
    stream: boolean,
  ) {
    if (stream) {
      this.parser = createSseParser((ev) => {
        const e = parse(ev.data);
        if (!e) return;
        const n = eventText(this.api, e);
        if (n > 0) {
          this.bytes += n;
          this.deltas++;
        }
      });
    }
  }

  push(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: true });
    if (this.parser) this.parser.push(text);
    else this.body += text;
  }

  /** Ends the input; the UTF-8 bytes of generated text and the count of events that carried some. */
  finish(): { textBytes: number; contentDeltas: number } {
    const rest = this.decoder.decode();
    if (this.parser) {
      this.parser.push(rest);
      this.parser.end();
    } else {
      const b = parse(this.body + rest);
      this.bytes = b ? bodyText(this.api, b) : 0;
      this.deltas = this.bytes > 0 ? 1 : 0;
      this.body = "";
    }
    return { textBytes: this.bytes, contentDeltas: this.deltas };
  }
}
