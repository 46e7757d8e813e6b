export { KeyLimiter, MINUTE_MS, type KeyPrincipal, type LimiterDeps } from "./limiter.js";
export { RequestWindows, inWindow, windowState, type WindowEvent, type WindowState } from "./window.js";
export { periodEnd, periodStart, type CapPeriod } from "./periods.js";
export { formatDuration, rateLimitHeaders, retryAfterSeconds } from "./headers.js";
