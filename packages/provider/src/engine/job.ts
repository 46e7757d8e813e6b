// One generation request inside the engine: prompt, sampling settings, progress, and the
// token → text pipeline (UTF-8 safe detokenizer, then stop-string matcher, then the stream).
import type { Token } from "node-llama-cpp";
import { StreamDetokenizer, type DetokenizeFn } from "./detokenizer.js";
import { StopStringMatcher } from "./stop-strings.js";
import type { GenerationStream } from "./stream.js";
import type { FinishReason, GenerationResult } from "./types.js";

export interface SamplingParams {
  temperature: number;
  topP: number;
  /** Candidates kept before top-p / temperature (the scheduler's default when undefined). */
  topK?: number;
  seed: number;
}

export type JobPhase = "waiting" | "prefill" | "decoding" | "done";

export interface JobInit {
  id: number;
  prompt: readonly Token[];
  maxTokens: number;
  sampling: SamplingParams;
  stop: readonly string[] | undefined;
  stream: GenerationStream;
  detokenize: DetokenizeFn;
  isEndToken: (token: Token) => boolean;
}

export class Job {
  readonly id: number;
  readonly prompt: readonly Token[];
  readonly maxTokens: number;
  readonly sampling: SamplingParams;
  readonly stream: GenerationStream;
  readonly submittedAt = performance.now();
  phase: JobPhase = "waiting";
  startedAt: number | undefined;
  firstTokenAt: number | undefined;
  /** Prompt tokens evaluated so far. */
  prefilled = 0;
  /** Tokens sampled so far. */
  generated = 0;
  iterator: AsyncGenerator<Token, void, void | Token | Token[]> | undefined;
  /** Runs when the job ends for any reason (detaches abort listeners). */
  onDone: (() => void) | undefined;
  private readonly detok: StreamDetokenizer;
  private readonly stopper: StopStringMatcher;
  private readonly isEndToken: (token: Token) => boolean;

  constructor(init: JobInit) {
    this.id = init.id;
    this.prompt = init.prompt;
    this.maxTokens = init.maxTokens;
    this.sampling = init.sampling;
    this.stream = init.stream;
    this.detok = new StreamDetokenizer(init.detokenize);
    this.stopper = new StopStringMatcher(init.stop);
    this.isEndToken = init.isEndToken;
  }

  /** Tokens this job may occupy in its sequence (prompt + completion). */
  get tokenBudget(): number {
    return this.prompt.length + this.maxTokens;
  }

  get done(): boolean {
    return this.phase === "done";
  }

  /** Handles one sampled token; ends the job on an end token, a stop string or max tokens. */
  acceptToken(token: Token): void {
    if (this.done) return;
    this.generated++;
    this.firstTokenAt ??= performance.now();
    if (this.isEndToken(token)) {
      this.finish("stop");
      return;
    }
    const { emit, stopped } = this.stopper.push(this.detok.push(token));
    this.stream.push(emit, this.generated);
    if (stopped) this.end("stop");
    else if (this.generated >= this.maxTokens) this.finish("length");
  }

  /** Ends the job, releasing held-back text first (unless it completes a stop string). */
  finish(reason: FinishReason): void {
    if (this.done) return;
    if (reason !== "abort") {
      const tail = this.stopper.push(this.detok.flush());
      this.stream.push(tail.emit, this.generated);
      if (tail.stopped) {
        this.end("stop");
        return;
      }
      this.stream.push(this.stopper.flush(), this.generated);
    }
    this.end(reason);
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.phase = "done";
    this.stream.fail(error);
    this.onDone?.();
  }

  private end(reason: FinishReason): void {
    this.phase = "done";
    this.stream.end(this.result(reason));
    this.onDone?.();
  }

  private result(finishReason: FinishReason): GenerationResult {
    const now = performance.now();
    return {
      finishReason,
      ...(this.stopper.matched !== undefined && { stopSequence: this.stopper.matched }),
      usage: { promptTokens: this.prefilled, completionTokens: this.generated },
      timings: {
        queueMs: round1((this.startedAt ?? now) - this.submittedAt),
        ttftMs: this.firstTokenAt === undefined ? undefined : round1(this.firstTokenAt - this.submittedAt),
        totalMs: round1(now - this.submittedAt),
      },
    };
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
