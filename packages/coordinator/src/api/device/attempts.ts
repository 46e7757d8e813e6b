/**
 * Counted attempts per key (an account's wrong user codes, an address's new device codes) in a
 * fixed window: past `max`, the key must wait (429), so guessing another user's pending code or
 * filling the code table is bounded. The map holds at most `maxKeys` keys (the oldest window is
 * dropped first) and forgets expired windows as it goes.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly opts: { max: number; windowMs: number; maxKeys: number; now: () => number },
  ) {}

  /** Seconds to wait before trying again, or 0 when the key may try now. */
  retryAfterS(key: string): number {
    const w = this.live(key);
    if (!w || w.count < this.opts.max) return 0;
    return Math.max(1, Math.ceil((w.start + this.opts.windowMs - this.opts.now()) / 1000));
  }

  count(key: string): void {
    const w = this.live(key);
    if (w) {
      w.count++;
      return;
    }
    if (this.windows.size >= this.opts.maxKeys) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(key, { start: this.opts.now(), count: 1 });
  }

  get size(): number {
    return this.windows.size;
  }

  private live(key: string): { start: number; count: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.opts.now() - w.start >= this.opts.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }
}
