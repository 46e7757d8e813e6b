/** Backups counted before the win rate is trusted. */
const MIN_BACKUPS = 20;
/** Below this share of wins, backups are not worth their cost. */
const MIN_WIN_RATE = 0.1;
/** Counts are halved past this many backups, so the rate follows recent behaviour. */
const DECAY_AT = 200;
/** Models tracked; the least recently used is dropped past it. */
const MAX_MODELS = 1_000;

/**
 * Per model: how often a speculative backup dispatch won the race. The admission layer sends a
 * backup only while `worthwhile` (it also suppresses them while the model has a queue).
 */
export class BackupStats {
  private readonly byModel = new Map<string, { sent: number; won: number }>();

  dispatched(model: string): void {
    const s = this.entry(model);
    s.sent++;
    if (s.sent >= DECAY_AT) {
      s.sent /= 2;
      s.won /= 2;
    }
  }

  won(model: string): void {
    const s = this.entry(model);
    s.won = Math.min(s.won + 1, s.sent);
  }

  worthwhile(model: string): boolean {
    const s = this.byModel.get(model);
    if (!s || s.sent < MIN_BACKUPS) return true;
    return s.won / s.sent >= MIN_WIN_RATE;
  }

  private entry(model: string): { sent: number; won: number } {
    let s = this.byModel.get(model);
    if (s) this.byModel.delete(model);
    else {
      s = { sent: 0, won: 0 };
      if (this.byModel.size >= MAX_MODELS) this.byModel.delete(this.byModel.keys().next().value as string);
    }
    this.byModel.set(model, s); // most recently used last
    return s;
  }
}
