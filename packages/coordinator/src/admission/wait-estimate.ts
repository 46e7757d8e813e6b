/** Weight of the newest observation in the per-model service-time average. */
const ALPHA = 0.2;
/** Models whose service time is remembered (the oldest is dropped beyond it). */
const MAX_MODELS = 1_024;

/**
 * How long requests for a model hold a provider slot (dispatch to end), as an exponentially
 * weighted average of what this coordinator observed. Unknown until the first request finished.
 */
export class ServiceTimes {
  private readonly ewma = new Map<string, number>();

  observe(model: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const prev = this.ewma.get(model);
    if (prev === undefined && this.ewma.size >= MAX_MODELS) {
      const oldest = this.ewma.keys().next().value;
      if (oldest !== undefined) this.ewma.delete(oldest);
    }
    this.ewma.set(model, prev === undefined ? ms : prev + ALPHA * (ms - prev));
  }

  get(model: string): number | undefined {
    return this.ewma.get(model);
  }
}

/**
 * Expected wait of a request joining a queue with `ahead` waiters: every one of them, and then it,
 * needs a slot turn; `slots` sequences turn over every `serviceMs`. Undefined when unknown.
 */
export function estimatedWaitMs(ahead: number, serviceMs: number | undefined, slots: number): number | undefined {
  if (serviceMs === undefined) return undefined;
  return Math.ceil(((ahead + 1) * serviceMs) / Math.max(1, slots));
}
