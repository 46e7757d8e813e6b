// Throughput observations from the batch loop (exponentially weighted moving averages).

export class Ewma {
  private v = 0;
  private seeded = false;
  constructor(private readonly alpha: number) {}
  add(sample: number): void {
    if (!Number.isFinite(sample) || sample <= 0) return;
    this.v = this.seeded ? this.v + this.alpha * (sample - this.v) : sample;
    this.seeded = true;
  }
  get value(): number {
    return this.v;
  }
}

export interface StepSample {
  /** Wall time of the step (ms). */
  ms: number;
  /** Sequences that received a decoded token in this step (excluding first tokens after prefill). */
  decodeTokens: number;
  /** Prompt tokens evaluated in this step. */
  prefillTokens: number;
}

export class ThroughputMeter {
  private readonly perStream = new Ewma(0.1);
  private readonly aggregate = new Ewma(0.1);
  private readonly prefill = new Ewma(0.3);

  record(s: StepSample): void {
    if (s.ms <= 0) return;
    if (s.prefillTokens === 0 && s.decodeTokens > 0) {
      this.perStream.add(1000 / s.ms);
      this.aggregate.add((s.decodeTokens * 1000) / s.ms);
    } else if (s.prefillTokens >= 16) {
      // Mixed steps include a little decode work; the estimate is slightly pessimistic.
      this.prefill.add((s.prefillTokens * 1000) / s.ms);
    }
  }

  get decodeTps(): number {
    return round1(this.perStream.value);
  }
  get aggregateDecodeTps(): number {
    return round1(this.aggregate.value);
  }
  get prefillTps(): number {
    return round1(this.prefill.value);
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
