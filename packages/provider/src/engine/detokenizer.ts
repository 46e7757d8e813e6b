// UTF-8 safe streaming detokenization. A character whose bytes are split across tokens decodes to
// U+FFFD until its last byte arrives, so text ending in U+FFFD is held back (up to a bound, in case
// the model really produced invalid UTF-8) and released once the character is complete.
import type { LlamaModel, Token } from "node-llama-cpp";

/** A multi-byte character spans at most 4 byte-tokens; allow chains of overlapping partials. */
const MAX_HELD_TOKENS = 8;
/** Preceding tokens given to the detokenizer so leading-space rules match a full detokenization. */
const CONTEXT_TOKENS = 8;
const REPLACEMENT = "\uFFFD";

export type DetokenizeFn = (tokens: readonly Token[], lastTokens: readonly Token[]) => string;

export function modelDetokenizer(model: LlamaModel): DetokenizeFn {
  return (tokens, lastTokens) => model.detokenize(tokens, false, lastTokens);
}

export class StreamDetokenizer {
  private pending: Token[] = [];
  private context: Token[] = [];

  constructor(private readonly detokenize: DetokenizeFn) {}

  /** Adds one generated token; returns the text that is now complete (possibly ""). */
  push(token: Token): string {
    this.pending.push(token);
    const text = this.detokenize(this.pending, this.context);
    if (text.endsWith(REPLACEMENT) && this.pending.length < MAX_HELD_TOKENS) return "";
    this.commit();
    return text;
  }

  /** Releases whatever is held (generation ended), even if it is an incomplete character. */
  flush(): string {
    if (this.pending.length === 0) return "";
    const text = this.detokenize(this.pending, this.context);
    this.commit();
    return text;
  }

  private commit(): void {
    this.context = [...this.context, ...this.pending].slice(-CONTEXT_TOKENS);
    this.pending = [];
  }
}
