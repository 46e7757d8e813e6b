/** SPEC: `Retry-After = clamp(depth × 3, 2, 30)` seconds, from the model's queue depth at refusal. */
export const RETRY_AFTER_PER_WAITER_S = 3;
export const RETRY_AFTER_MIN_S = 2;
export const RETRY_AFTER_MAX_S = 30;

export function retryAfterSeconds(depth: number): number {
  const s = Math.max(0, Math.floor(depth)) * RETRY_AFTER_PER_WAITER_S;
  return Math.min(Math.max(s, RETRY_AFTER_MIN_S), RETRY_AFTER_MAX_S);
}
