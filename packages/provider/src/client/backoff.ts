/** First reconnect delay ceiling; doubles per failed attempt. */
export const RECONNECT_BASE_MS = 250;
/**
 * Highest reconnect delay: low, so providers are back within a few seconds of a coordinator
 * restart (while they are away, their models answer 503, and consumers wait).
 */
export const RECONNECT_CAP_MS = 5_000;

/**
 * Exponential reconnect delay with jitter: the ceiling base·2^attempt (capped) times a random
 * factor in [½, 1], so a fleet reconnecting after a restart spreads out instead of arriving at once.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random, baseMs = RECONNECT_BASE_MS, capMs = RECONNECT_CAP_MS): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
