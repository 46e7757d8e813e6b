// Turns the constrained text of one tool call, `{"name": "f", "arguments": {…}}`, into OpenAI's
// tool-call shape while it streams: the name as soon as it is complete, then the arguments text
// piece by piece. Pure.
import { randomBytes } from "node:crypto";
import type { ChatResponseToolCall } from "@darkbloom/protocol";

/** The grammar emits `name` before `arguments` (properties in schema order). */
const PREFIX = /^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"arguments"\s*:\s*/;
/** Held back while streaming: it may be the closing brace of the call object, not of the arguments. */
const MAYBE_CLOSING = /[\s}]*$/;

export interface ToolCallPiece {
  /** Set once, when the function name is known. */
  start?: { id: string; name: string };
  /** Arguments text that follows what was emitted before. */
  arguments: string;
}

export interface ToolCallEnd extends ToolCallPiece {
  /** The call, if the model named a function (arguments cut short when `complete` is false). */
  call: ChatResponseToolCall | undefined;
  /** True when the call's JSON is complete. */
  complete: boolean;
}

export class ToolCallAssembler {
  readonly id = `call_${randomBytes(12).toString("hex")}`;
  private text = "";
  private name: string | undefined;
  private argsStart = 0;
  private emitted = 0;

  push(piece: string): ToolCallPiece {
    this.text += piece;
    const start = this.matchName(false);
    if (this.name === undefined) return { arguments: "" };
    const args = this.text.slice(this.argsStart);
    const safe = args.slice(0, args.length - (MAYBE_CLOSING.exec(args)?.[0].length ?? 0));
    return { ...(start && { start }), arguments: this.take(safe) };
  }

  end(): ToolCallEnd {
    const start = this.matchName(true);
    const complete = this.name !== undefined && isCompleteCall(this.text);
    if (this.name === undefined) return { arguments: "", call: undefined, complete: false };
    const raw = this.text.slice(this.argsStart);
    // Complete: drop the call object's own closing brace; cut short: keep what there is.
    const args = complete ? raw.replace(/\s*\}\s*$/, "") : raw;
    const rest = this.take(args);
    return { ...(start && { start }), arguments: rest, call: { id: this.id, name: this.name, arguments: args }, complete };
  }

  /** Until the end, the prefix counts only once the arguments have begun (its trailing whitespace is complete). */
  private matchName(final: boolean): ToolCallPiece["start"] {
    if (this.name !== undefined) return undefined;
    const m = PREFIX.exec(this.text);
    if (!m || (!final && m[0].length >= this.text.length)) return undefined;
    try {
      this.name = JSON.parse(`"${m[1] ?? ""}"`) as string;
    } catch {
      return undefined;
    }
    this.argsStart = m[0].length;
    return { id: this.id, name: this.name };
  }

  private take(args: string): string {
    if (args.length <= this.emitted) return "";
    const out = args.slice(this.emitted);
    this.emitted = args.length;
    return out;
  }
}

function isCompleteCall(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && "name" in v && "arguments" in v;
  } catch {
    return false;
  }
}
