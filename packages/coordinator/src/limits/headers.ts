import type { WindowState } from "./window.js";

/** A duration the way OpenAI's rate-limit headers write it: `250ms`, `12.5s`, `6m0s`. */
export function formatDuration(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  if (v < 1_000) return `${v}ms`;
  if (v < 60_000) return `${Number((v / 1_000).toFixed(3))}s`;
  const m = Math.floor(v / 60_000);
  return `${m}m${Number(((v - m * 60_000) / 1_000).toFixed(3))}s`;
}

/** Whole seconds for Retry-After, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1_000)));
}

/** `x-ratelimit-*-requests` or `x-ratelimit-*-tokens` for one window. */
export function rateLimitHeaders(kind: "requests" | "tokens", s: WindowState): Record<string, string> {
  return {
    [`x-ratelimit-limit-${kind}`]: String(s.limit),
    [`x-ratelimit-remaining-${kind}`]: String(s.remaining),
    [`x-ratelimit-reset-${kind}`]: formatDuration(s.resetMs),
  };
}
