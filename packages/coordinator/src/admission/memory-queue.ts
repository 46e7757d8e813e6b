import type { AdmissionQueue, Waiter } from "./types.js";

/**
 * In-process AdmissionQueue: one array per model with waiters, deleted when it empties, so the
 * map holds at most (models with waiters) entries and each at most its limit.
 */
export class MemoryAdmissionQueue implements AdmissionQueue {
  private readonly byModel = new Map<string, Waiter[]>();

  push(model: string, waiter: Waiter, limit: number): boolean {
    const q = this.byModel.get(model) ?? [];
    if (q.length >= limit) return false;
    q.push(waiter);
    this.byModel.set(model, q);
    return true;
  }

  head(model: string): Waiter | undefined {
    return this.byModel.get(model)?.[0];
  }

  remove(model: string, waiter: Waiter): boolean {
    const q = this.byModel.get(model);
    if (!q) return false;
    const i = q.indexOf(waiter);
    if (i < 0) return false;
    q.splice(i, 1);
    if (q.length === 0) this.byModel.delete(model);
    return true;
  }

  depth(model: string): number {
    return this.byModel.get(model)?.length ?? 0;
  }

  models(): Iterable<string> {
    return this.byModel.keys();
  }
}
