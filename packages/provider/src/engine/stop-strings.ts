// Streaming stop-string matcher. Text is released only when it can no longer be the start of a
// stop string, so a stop string split across tokens is caught and never emitted.

export interface StopPushResult {
  /** Text safe to emit now. */
  emit: string;
  /** True when a stop string was found: `emit` is the text before it and generation must end. */
  stopped: boolean;
  /** When stopped: the text that followed the stop string in this push. */
  after?: string;
}

export class StopStringMatcher {
  private readonly stops: readonly string[];
  private held = "";
  private done = false;
  /** The stop string that ended the text, once one did. */
  matched: string | undefined;

  constructor(stops: readonly string[] | undefined) {
    this.stops = [...new Set((stops ?? []).filter((s) => s.length > 0))];
  }

  get hasStops(): boolean {
    return this.stops.length > 0;
  }

  push(text: string): StopPushResult {
    if (this.done) return { emit: "", stopped: true };
    if (this.stops.length === 0) return { emit: text, stopped: false };
    const buf = this.held + text;
    let first = -1;
    let firstLength = 0;
    for (const stop of this.stops) {
      const i = buf.indexOf(stop);
      if (i !== -1 && (first === -1 || i < first)) {
        first = i;
        this.matched = stop;
        firstLength = stop.length;
      }
    }
    if (first !== -1) {
      this.held = "";
      this.done = true;
      return { emit: buf.slice(0, first), stopped: true, after: buf.slice(first + firstLength) };
    }
    const hold = this.longestStopPrefixSuffix(buf);
    this.held = buf.slice(buf.length - hold);
    return { emit: buf.slice(0, buf.length - hold), stopped: false };
  }

  /** Releases any held-back text (generation ended for another reason). */
  flush(): string {
    const rest = this.done ? "" : this.held;
    this.held = "";
    return rest;
  }

  /** Length of the longest suffix of `buf` that is a proper prefix of some stop string. */
  private longestStopPrefixSuffix(buf: string): number {
    let best = 0;
    for (const stop of this.stops) {
      const max = Math.min(stop.length - 1, buf.length);
      for (let k = max; k > best; k--) {
        if (buf.endsWith(stop.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}
