/** The last `size` pass/fail outcomes (a ring), plus lifetime totals. */
export class OutcomeWindow {
  private readonly buf: boolean[] = [];
  private next = 0;
  private okInWindow = 0;
  total = 0;
  okTotal = 0;

  constructor(private readonly size: number) {}

  push(ok: boolean): void {
    this.total++;
    if (ok) this.okTotal++;
    if (this.buf.length < this.size) this.buf.push(ok);
    else {
      if (this.buf[this.next]) this.okInWindow--;
      this.buf[this.next] = ok;
      this.next = (this.next + 1) % this.size;
    }
    if (ok) this.okInWindow++;
  }

  /** Laplace-smoothed pass rate over the window: (ok + 1) / (n + 2); 0.5 with no outcome yet. */
  smoothedRate(): number {
    return (this.okInWindow + 1) / (this.buf.length + 2);
  }
}

/** The last `size` numeric samples (a ring) for a median. */
export class SampleWindow {
  private readonly buf: number[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  push(v: number): void {
    if (this.buf.length < this.size) this.buf.push(v);
    else {
      this.buf[this.next] = v;
      this.next = (this.next + 1) % this.size;
    }
  }

  get count(): number {
    return this.buf.length;
  }

  /** The median (lower middle for an even count), or null with no samples. */
  median(): number | null {
    if (this.buf.length === 0) return null;
    const sorted = [...this.buf].sort((a, b) => a - b);
    return sorted[(sorted.length - 1) >> 1]!;
  }
}
