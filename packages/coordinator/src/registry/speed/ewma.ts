/** Exponentially weighted moving average; the first sample is taken as is. */
export class Ewma {
  private v = 0;
  private n = 0;

  constructor(private readonly alpha: number) {
    if (!(alpha > 0 && alpha <= 1)) throw new Error("alpha must be in (0, 1]");
  }

  add(x: number): void {
    this.v = this.n === 0 ? x : this.alpha * x + (1 - this.alpha) * this.v;
    this.n++;
  }

  get value(): number {
    return this.v;
  }

  /** Samples taken so far. */
  get count(): number {
    return this.n;
  }
}

/** The median of `xs` (undefined when empty); does not modify its argument. */
export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
