/** Pure sliding-window math: no clock, no I/O. Times in epoch ms. */

export interface WindowEvent {
  at: number;
  /** 1 per request, or a request's tokens. */
  weight: number;
}

export interface WindowState {
  limit: number;
  /** Weight inside the window ending at `now`. */
  used: number;
  /** What is left of the limit (never negative). */
  remaining: number;
  /** Until every event in the window has aged out (the window is back to its full limit). */
  resetMs: number;
  /** Admitting `cost` more would stay within the limit. */
  allowed: boolean;
  /** When not allowed: until enough has aged out to admit `cost`. 0 when allowed. */
  retryAfterMs: number;
}

/** Events still inside the window `(now - windowMs, now]`. */
export function inWindow<E extends WindowEvent>(events: readonly E[], now: number, windowMs: number): E[] {
  return events.filter((e) => e.at > now - windowMs && e.at <= now);
}

/**
 * Where a sliding window stands at `now` for a request that would add `cost`. An event at `t`
 * counts until `t + windowMs`; `retryAfterMs` is exact: at that instant the oldest events have
 * aged out far enough for `cost` to fit.
 */
export function windowState(events: readonly WindowEvent[], now: number, windowMs: number, limit: number, cost: number): WindowState {
  const live = inWindow(events, now, windowMs).sort((a, b) => a.at - b.at);
  const used = live.reduce((s, e) => s + e.weight, 0);
  const resetMs = live.length === 0 ? 0 : live[live.length - 1]!.at + windowMs - now;
  const allowed = used + cost <= limit;
  let retryAfterMs = 0;
  if (!allowed) {
    let left = used;
    retryAfterMs = resetMs;
    for (const e of live) {
      left -= e.weight;
      if (left + cost <= limit) {
        retryAfterMs = e.at + windowMs - now;
        break;
      }
    }
    // A cost larger than the whole limit never fits; the full reset is the honest answer.
  }
  return { limit, used, remaining: Math.max(limit - used, 0), resetMs, allowed, retryAfterMs };
}

/**
 * Request timestamps per key, in memory (one coordinator process): check-and-record is
 * synchronous, so concurrent requests cannot both take the last slot.
 */
export class RequestWindows {
  private readonly byKey = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  /** Counts a request at `now` when it fits under `limit`; the state is as seen by this request. */
  admit(key: string, now: number, limit: number): WindowState {
    const kept = (this.byKey.get(key) ?? []).filter((t) => t > now - this.windowMs);
    const state = windowState(
      kept.map((at) => ({ at, weight: 1 })),
      now,
      this.windowMs,
      limit,
      1,
    );
    if (state.allowed) {
      kept.push(now);
      const after = { ...state, used: state.used + 1, remaining: Math.max(limit - state.used - 1, 0), resetMs: this.windowMs };
      this.byKey.set(key, kept);
      return after;
    }
    if (kept.length === 0) this.byKey.delete(key);
    else this.byKey.set(key, kept);
    return state;
  }

  /** Keys tracked (for tests: windows do not grow without bound). */
  get size(): number {
    return this.byKey.size;
  }

  /** Drops keys whose window is empty at `now`. */
  prune(now: number): void {
    for (const [key, times] of this.byKey) {
      if (times.every((t) => t <= now - this.windowMs)) this.byKey.delete(key);
    }
  }
}
