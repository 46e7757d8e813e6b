/** SPEC queue limits, shared by every strategy the simulator compares. */
export const QUEUE_LIMIT = 10;
export const QUEUE_MAX_WAIT_MS = 120_000;

/**
 * Per-model FIFO of requests waiting for a provider with room. Stand-in for the coordinator's
 * admission queue (same limits); retries go back to the front.
 */
export class ModelQueues<T> {
  private readonly byModel = new Map<string, T[]>();

  depth(model: string): number {
    return this.byModel.get(model)?.length ?? 0;
  }

  /** False when the model's queue is full (the caller answers 429). */
  push(model: string, item: T): boolean {
    const q = this.queue(model);
    if (q.length >= QUEUE_LIMIT) return false;
    q.push(item);
    return true;
  }

  /** Back to the front (a failed-over request keeps its place), regardless of the limit. */
  unshift(model: string, item: T): void {
    this.queue(model).unshift(item);
  }

  head(model: string): T | undefined {
    return this.byModel.get(model)?.[0];
  }

  shift(model: string): T | undefined {
    return this.byModel.get(model)?.shift();
  }

  /** Removes `item` wherever it waits; false when it is not queued. */
  remove(model: string, item: T): boolean {
    const q = this.byModel.get(model);
    const i = q ? q.indexOf(item) : -1;
    if (i < 0) return false;
    q!.splice(i, 1);
    return true;
  }

  models(): string[] {
    return [...this.byModel.keys()];
  }

  private queue(model: string): T[] {
    let q = this.byModel.get(model);
    if (!q) {
      q = [];
      this.byModel.set(model, q);
    }
    return q;
  }
}
