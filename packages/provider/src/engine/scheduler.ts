// Continuous batching over one LlamaContext with N sequences, driven in lock-step.
//
// Each step issues the next evaluation of every active sequence synchronously, in slot order,
// within one tick. node-llama-cpp queues them and its "nextCycle" dispatch (setImmediate) then
// sends them as ONE llama_decode, so a step carries one token per decoding sequence. Keeping the
// batch composition (sequences and their order) identical from step to step also lets llama.cpp
// reuse its compute graph; a changing composition costs a graph rebuild per decode (measured:
// ~+40% per step for a 4-sequence batch on CPU). Requests join at step boundaries (their prompt is
// evaluated in chunks while others decode, so running streams are not stalled for a long prompt)
// and leave as soon as they finish or are aborted.
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { EngineClosedError, EngineQueueFullError } from "./errors.js";
import type { Job } from "./job.js";
import type { ThroughputMeter } from "./metrics.js";

/**
 * Candidates kept before top-p / temperature sampling when the request names none (the OpenAI
 * APIs cannot): llama.cpp's and llama-server's own default. node-llama-cpp cannot disable top-k (0
 * means "whole vocabulary", i.e. a full sort per token: ~2 ms per sequence per token on CPU).
 */
export const SAMPLING_TOP_K = 40;

/**
 * A sequence of the context and the job using it. `job` is set only by admit() (at a step
 * boundary) and cleared only by release() once the job is done and its KV cells are cleared, so a
 * slot is never shared. Readers: run() (issues steps), running/capacity, submit() (free-slot count),
 * close() and failAll() (fail jobs; their slots are released by the loop).
 */
interface Slot {
  readonly index: number;
  readonly sequence: LlamaContextSequence;
  job: Job | undefined;
}

interface StepOutcome {
  decoded: number;
  prefilled: number;
}

export interface SchedulerOptions {
  sequences: readonly LlamaContextSequence[];
  maxQueue: number;
  prefillChunkTokens: number;
  meter: ThroughputMeter;
}

export class BatchScheduler {
  private readonly slots: Slot[];
  private readonly waiting: Job[] = [];
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.slots = opts.sequences.map((sequence, index) => ({ index, sequence, job: undefined }));
  }

  get running(): readonly Job[] {
    return this.slots.flatMap((s) => (s.job && !s.job.done ? [s.job] : []));
  }

  get queued(): readonly Job[] {
    return this.waiting;
  }

  get maxQueue(): number {
    return this.opts.maxQueue;
  }

  submit(job: Job): void {
    if (this.closed) throw new EngineClosedError();
    const freeSlots = this.slots.filter((s) => s.job === undefined).length;
    if (this.waiting.length >= this.opts.maxQueue + freeSlots) throw new EngineQueueFullError(this.opts.maxQueue);
    this.waiting.push(job);
    this.kick();
  }

  /** Ends a job with finishReason 'abort'. Its sequence is released at the end of the current step. */
  abort(job: Job): void {
    if (job.done) return;
    const i = this.waiting.indexOf(job);
    if (i !== -1) this.waiting.splice(i, 1);
    job.finish("abort");
  }

  /** Fails every job, waits for the loop to drain. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.fail(new EngineClosedError());
    for (const slot of this.slots) slot.job?.fail(new EngineClosedError());
    await this.loop;
  }

  private kick(): void {
    if (this.loop) return;
    // Start on the next cycle so requests submitted together are admitted into the same first step.
    this.loop = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run())
      .catch((err: unknown) => this.failAll(err))
      .finally(() => {
        this.loop = undefined;
        if (!this.closed && this.waiting.length > 0) this.kick();
      });
  }

  /** Last resort if the loop itself breaks: fail everything and free every sequence. */
  private async failAll(err: unknown): Promise<void> {
    for (const job of this.waiting.splice(0)) job.fail(err);
    for (const slot of this.slots) slot.job?.fail(err);
    await Promise.all(this.slots.map((s) => this.release(s)));
  }

  private async run(): Promise<void> {
    for (;;) {
      this.admit();
      const active = this.slots.filter((s) => s.job !== undefined);
      if (active.length === 0) return;
      const started = performance.now();
      const decoding = active.some((s) => s.job?.phase === "decoding");
      let prefillBudget = decoding ? this.opts.prefillChunkTokens : Number.POSITIVE_INFINITY;
      // Issue every sequence's evaluation now, synchronously and in slot order: they must all be
      // queued before node-llama-cpp's next-cycle dispatch so they share one llama_decode.
      const ops: Promise<StepOutcome>[] = [];
      for (const slot of this.slots) {
        const job = slot.job;
        if (!job || job.done) continue;
        if (job.phase === "decoding") ops.push(this.decodeStep(job));
        else if (prefillBudget > 0) {
          const take = Math.min(prefillBudget, job.prompt.length - job.prefilled);
          prefillBudget -= take;
          ops.push(this.prefillStep(slot, job, take));
        }
      }
      const outcomes = await Promise.all(ops);
      this.opts.meter.record({
        ms: performance.now() - started,
        decodeTokens: outcomes.reduce((n, o) => n + o.decoded, 0),
        prefillTokens: outcomes.reduce((n, o) => n + o.prefilled, 0),
      });
      await Promise.all(this.slots.filter((s) => s.job?.done).map((s) => this.release(s)));
    }
  }

  private admit(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.job !== undefined) continue;
      const job = this.waiting.shift();
      if (!job) return;
      slot.job = job;
      job.phase = "prefill";
      job.startedAt = performance.now();
    }
  }

  private async decodeStep(job: Job): Promise<StepOutcome> {
    const iterator = job.iterator;
    if (!iterator) throw new Error("decoding job without an iterator");
    try {
      const r = await iterator.next();
      if (r.done) job.finish("stop");
      else job.acceptToken(r.value);
    } catch (err) {
      job.fail(err);
    }
    return { decoded: 1, prefilled: 0 };
  }

  /** Evaluates `take` prompt tokens; the last chunk also samples the first completion token. */
  private async prefillStep(slot: Slot, job: Job, take: number): Promise<StepOutcome> {
    const from = job.prefilled;
    const last = from + take >= job.prompt.length;
    try {
      if (!last) {
        await slot.sequence.evaluateWithoutGeneratingNewTokens(job.prompt.slice(from, from + take));
        job.prefilled = from + take;
        return { decoded: 0, prefilled: take };
      }
      const { temperature, topP, topK, seed } = job.sampling;
      const options = { temperature, topP, topK: topK ?? SAMPLING_TOP_K, minP: 0, seed, yieldEogToken: true };
      // A constrained job's grammar is read per sampled token (a tool call may switch it on
      // mid-generation); node-llama-cpp keeps one sampler per sequence, so other sequences in the
      // same batch are unaffected. Unconstrained jobs pass nothing.
      job.iterator = slot.sequence.evaluate(
        job.prompt.slice(from) as Token[],
        job.constrained ? { ...options, grammarEvaluationState: () => job.activeGrammar } : options,
      );
      const r = await job.iterator.next();
      job.prefilled = job.prompt.length;
      if (job.done) return { decoded: 0, prefilled: take };
      job.phase = "decoding";
      if (r.done) job.finish("stop");
      else job.acceptToken(r.value);
    } catch (err) {
      job.fail(err);
    }
    return { decoded: 0, prefilled: take };
  }

  /** Frees a finished job's sequence: ends its evaluation and clears its KV cells. */
  private async release(slot: Slot): Promise<void> {
    const job = slot.job;
    if (!job) return;
    try {
      await job.iterator?.return();
    } catch {
      // the evaluation already failed; nothing to end
    }
    try {
      await slot.sequence.clearHistory();
    } catch {
      // a sequence that cannot be cleared is left to the next clear attempt
    }
    slot.job = undefined;
  }
}
