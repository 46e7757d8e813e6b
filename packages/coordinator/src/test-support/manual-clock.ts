import type { Clock, TimerHandle } from "../runtime/index.js";

export interface ManualClock extends Clock {
  /** Moves time forward, firing every timer that falls due (in due order, including ones they set). */
  advance(ms: number): void;
  /** Timers waiting to fire. */
  readonly pending: number;
}

/** A Clock that moves only when told: deadline tests run without real waiting. Test-only. */
export function manualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return { id } as TimerHandle;
    },
    clearTimeout(h) {
      timers.delete((h as { id: number }).id);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = target;
    },
    get pending() {
      return timers.size;
    },
  };
}
