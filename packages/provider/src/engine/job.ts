// One generation request inside the engine: prompt, sampling settings, progress, and the
// token → text pipeline (UTF-8 safe detokenizer, then stop-string matcher, then the stream).
import type { LlamaGrammarEvaluationState, Token } from "node-llama-cpp";
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

/**
 * A grammar constraining a job's sampling. `from: "start"` constrains every token (JSON output, or
 * a tool call the prompt already opened: `toolCall` says which). `from: "trigger"` leaves the text
 * free until the model opens a tool call — the trigger text, or the trigger token when the tag is
 * one special token — and constrains the rest to one call.
 */
export type JobGrammar =
  | {
      from: "start";
      state: LlamaGrammarEvaluationState;
      toolCall: boolean;
      /** Tool-call text the prompt already holds (a forced call's opening), reported first. */
      opening?: string;
    }
  | { from: "trigger"; state: LlamaGrammarEvaluationState; triggerText: string; triggerToken: Token | undefined };

export interface JobInit {
  id: number;
  prompt: readonly Token[];
  maxTokens: number;
  sampling: SamplingParams;
  stop: readonly string[] | undefined;
  stream: GenerationStream;
  detokenize: DetokenizeFn;
  isEndToken: (token: Token) => boolean;
  grammar?: JobGrammar;
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
  /** The grammar state sampling applies now (undefined: free text). */
  activeGrammar: LlamaGrammarEvaluationState | undefined;
  /** Whether the job was given a grammar at all (the scheduler then passes it to the sampler). */
  readonly constrained: boolean;
  /** Text now belongs to a tool call. */
  private inToolCall = false;
  private readonly trigger: { matcher: StopStringMatcher; token: Token | undefined; state: LlamaGrammarEvaluationState } | undefined;

  constructor(init: JobInit) {
    this.id = init.id;
    this.prompt = init.prompt;
    this.maxTokens = init.maxTokens;
    this.sampling = init.sampling;
    this.stream = init.stream;
    this.detok = new StreamDetokenizer(init.detokenize);
    this.stopper = new StopStringMatcher(init.stop);
    this.isEndToken = init.isEndToken;
    const g = init.grammar;
    this.constrained = g !== undefined;
    if (g?.from === "start") {
      this.activeGrammar = g.state;
      this.inToolCall = g.toolCall;
      if (g.opening) this.stream.push(g.opening, 0, true);
    } else if (g) {
      this.trigger = { matcher: new StopStringMatcher([g.triggerText]), token: g.triggerToken, state: g.state };
    }
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
    if (this.trigger && !this.inToolCall && token === this.trigger.token) {
      this.openToolCall("");
    } else if (this.inToolCall) {
      this.stream.push(this.detok.push(token), this.generated, true);
    } else if (this.pushContent(this.detok.push(token))) {
      return;
    }
    if (this.generated >= this.maxTokens) this.finish("length");
  }

  /** Content text through the tool-call trigger and the stop strings; true when the job ended. */
  private pushContent(text: string): boolean {
    let content = text;
    let after: string | undefined;
    if (this.trigger && !this.inToolCall) {
      const t = this.trigger.matcher.push(text);
      content = t.emit;
      if (t.stopped) after = t.after ?? "";
    }
    const { emit, stopped } = this.stopper.push(content);
    this.stream.push(emit, this.generated);
    if (stopped) {
      this.end("stop");
      return true;
    }
    if (after !== undefined) {
      this.stream.push(this.stopper.flush(), this.generated);
      this.openToolCall(after);
    }
    return false;
  }

  /** The model opened a tool call: constrain the rest to one call; `after` is text already past the tag. */
  private openToolCall(after: string): void {
    if (!this.trigger) return;
    this.inToolCall = true;
    this.activeGrammar = this.trigger.state;
    this.stream.push(after, this.generated, true);
  }

  /** Ends the job, releasing held-back text first (unless it completes a stop string). */
  finish(reason: FinishReason): void {
    if (this.done) return;
    if (reason !== "abort" && this.inToolCall) {
      this.stream.push(this.detok.flush(), this.generated, true);
    } else if (reason !== "abort") {
      const rest = this.detok.flush();
      const tail = this.stopper.push(this.trigger ? this.trigger.matcher.push(rest).emit + this.trigger.matcher.flush() : rest);
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
