/**
 * Discrete-event time: callbacks run in time order (FIFO at equal times) and the clock jumps from
 * one to the next. Nothing sleeps; a simulated hour runs in well under a second.
 */
export class EventLoop {
  private t: number;
  private seq = 0;
  private readonly heap: { at: number; seq: number; fn: () => void }[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  /** Runs `fn` `delayMs` from now (never in the past). */
  after(delayMs: number, fn: () => void): void {
    this.push({ at: this.t + Math.max(0, delayMs), seq: this.seq++, fn });
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Runs events until none is left (or `maxEvents` ran: a runaway guard). */
  run(maxEvents = 10_000_000): void {
    for (let n = 0; this.heap.length > 0; n++) {
      if (n >= maxEvents) throw new Error(`simulation exceeded ${maxEvents} events`);
      const e = this.pop();
      this.t = e.at;
      e.fn();
    }
  }

  private less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: { at: number; seq: number; fn: () => void }): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): { at: number; seq: number; fn: () => void } {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
