import type { Clock, TimerHandle } from "../runtime/index.js";

/** A Clock that moves only when told: tests fire timers by advancing it, never by waiting. Test-only. */
export class ManualClock implements Clock {
  private t: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.now()) {
    this.t = start;
  }

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { id };
  };

  clearTimeout = (h: TimerHandle): void => {
    this.timers.delete((h as { id: number }).id);
  };

  /** Timers currently armed. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order (including ones they arm that fall due). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}

export function manualClock(start?: number): ManualClock {
  return new ManualClock(start);
}
