// Push-to-pull channel behind a Generation: the engine pushes text deltas, the consumer iterates.
import type { Generation, GenerationDelta, GenerationResult } from "./types.js";

export class GenerationStream implements Generation {
  readonly result: Promise<GenerationResult>;
  private buffered: GenerationDelta[] = [];
  private waiter: ((r: IteratorResult<GenerationDelta>) => void) | undefined;
  private errorWaiter: ((err: unknown) => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private resolveResult!: (r: GenerationResult) => void;
  private rejectResult!: (err: unknown) => void;

  constructor(
    readonly id: number,
    readonly promptTokens: number,
    private readonly onCancel: () => void,
  ) {
    this.result = new Promise<GenerationResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // A consumer that only iterates must not crash the process with an unhandled rejection.
    this.result.catch(() => undefined);
  }

  abort(): void {
    this.onCancel();
  }

  get finished(): boolean {
    return this.ended;
  }

  /**
   * Engine side: append text produced by the first `tokens` completion tokens (ignored after the
   * end); `toolCall` marks the text of a tool call.
   */
  push(text: string, tokens: number, toolCall = false): void {
    if (this.ended || text.length === 0) return;
    const value: GenerationDelta = toolCall ? { text, tokens, toolCall } : { text, tokens };
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.errorWaiter = undefined;
      w({ value, done: false });
    } else {
      this.buffered.push(value);
    }
  }

  /** Engine side: finish successfully (idempotent). */
  end(result: GenerationResult): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveResult(result);
    this.wake();
  }

  /** Engine side: finish with an error (idempotent). */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = { error };
    this.rejectResult(error);
    const ew = this.errorWaiter;
    this.waiter = undefined;
    this.errorWaiter = undefined;
    ew?.(error);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    this.errorWaiter = undefined;
    w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<GenerationDelta> {
    return {
      next: () => this.next(),
      return: (): Promise<IteratorResult<GenerationDelta>> => {
        if (!this.ended) this.onCancel();
        this.buffered = [];
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private next(): Promise<IteratorResult<GenerationDelta>> {
    const first = this.buffered[0];
    if (first) {
      // Coalesce whatever accumulated while the consumer was busy (content and tool-call text apart).
      const kind = first.toolCall === true;
      let n = 1;
      while (n < this.buffered.length && (this.buffered[n]?.toolCall === true) === kind) n++;
      const run = this.buffered.splice(0, n);
      const last = run[run.length - 1] ?? first;
      const value: GenerationDelta = { text: run.map((d) => d.text).join(""), tokens: last.tokens };
      if (kind) value.toolCall = true;
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.errorWaiter = reject;
    });
  }
}
