import { HttpError, type RequestContext } from "../http/index.js";
import type { KeyLimits, KeyStore } from "../store/index.js";
import { rateLimitHeaders, retryAfterSeconds } from "./headers.js";
import { periodEnd, periodStart, type CapPeriod } from "./periods.js";
import { RequestWindows, windowState, type WindowState } from "./window.js";

export const MINUTE_MS = 60_000;

const CAPS: readonly { period: CapPeriod; field: keyof KeyLimits }[] = [
  { period: "day", field: "dailyMicros" },
  { period: "week", field: "weeklyMicros" },
  { period: "month", field: "monthlyMicros" },
];

export interface LimiterDeps {
  keys: KeyStore;
  now: () => number;
}

/** Who is asking: inference is made with an API key. */
export interface KeyPrincipal {
  accountId: string;
  apiKeyId: string;
}

function tooMany(message: string, code: string, retryMs: number, headers: Record<string, string>): HttpError {
  return new HttpError(429, message, code, null, { ...headers, "retry-after": retryAfterSeconds(retryMs) });
}

/**
 * Per-key limits at admission, before the reservation: requests per minute (in memory, exact
 * within this process), tokens per minute (tokens of the key's requests settled in the last
 * minute, from the store; admitted while any remain) and daily / weekly / monthly spend caps
 * (charged + held micro-USD of the key's requests this UTC period). Answers 429 with Retry-After
 * and x-ratelimit-* headers; on success sets those headers on the response and tags the request
 * with its key, which per-key usage and the next admissions read.
 */
export class KeyLimiter {
  private readonly requests = new RequestWindows(MINUTE_MS);
  private admissions = 0;

  constructor(private readonly deps: LimiterDeps) {}

  async admit(ctx: RequestContext, principal: KeyPrincipal, requestId: string): Promise<void> {
    const now = this.deps.now();
    const key = await this.deps.keys.get(principal.accountId, principal.apiKeyId);
    // Revoked between authentication and here: the same answer authentication gives.
    if (!key) throw new HttpError(401, "Invalid API key.", "invalid_api_key");
    const limits = key.limits;
    const headers: Record<string, string> = {};

    let tokens: WindowState | undefined;
    if (limits.tokensPerMinute !== null) {
      const events = await this.deps.keys.tokenEventsSince(key.id, now - MINUTE_MS);
      tokens = windowState(events.map((e) => ({ at: e.at, weight: e.tokens })), now, MINUTE_MS, limits.tokensPerMinute, 1);
      Object.assign(headers, rateLimitHeaders("tokens", tokens));
    }

    for (const cap of CAPS) {
      const limit = limits[cap.field];
      if (limit === null) continue;
      const spent = await this.deps.keys.spendSince(key.id, periodStart(cap.period, now));
      if (spent >= limit) {
        throw tooMany(
          `This API key reached its ${cap.period}ly spend limit (${spent} of ${limit} µUSD); it resets at the start of the next UTC ${cap.period}.`,
          "key_spend_limit_exceeded",
          periodEnd(cap.period, now) - now,
          headers,
        );
      }
    }

    if (tokens && !tokens.allowed) {
      throw tooMany(
        `Rate limit reached for this API key: ${tokens.limit} tokens per minute (used ${tokens.used}).`,
        "rate_limit_exceeded",
        tokens.retryAfterMs,
        headers,
      );
    }

    // Last, so a request refused for another reason does not use up a request slot.
    if (limits.requestsPerMinute !== null) {
      const reqs = this.requests.admit(key.id, now, limits.requestsPerMinute);
      Object.assign(headers, rateLimitHeaders("requests", reqs));
      if (!reqs.allowed) {
        throw tooMany(`Rate limit reached for this API key: ${reqs.limit} requests per minute.`, "rate_limit_exceeded", reqs.retryAfterMs, headers);
      }
    }
    if (++this.admissions % 1_000 === 0) this.requests.prune(now);

    await this.deps.keys.tagRequest({ requestId, accountId: principal.accountId, apiKeyId: key.id });
    for (const [name, value] of Object.entries(headers)) ctx.res.setHeader(name, value);
  }
}
