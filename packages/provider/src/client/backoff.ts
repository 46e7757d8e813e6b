/** Exponential reconnect delay with full jitter: base·2^attempt capped, times a random factor. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random, baseMs = 500, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
