import { z } from "zod";
import { badRequest, sendJson, type Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { requireAccount, unixSeconds, usd } from "../require-account.js";

const DAY_MS = 86_400_000;
const MAX_USAGE_DAYS = 366;

/** GET /v1/account: who the caller is and its balance (available, held, spent) in µUSD and USD. */
export function accountRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const [account, balance, spent, earnings] = await Promise.all([
      deps.store.accounts.getUser(who.accountId),
      deps.store.getBalance(who.accountId),
      deps.store.usage.spentMicros(who.accountId),
      deps.store.getEarnings(who.accountId),
    ]);
    sendJson(ctx.res, 200, {
      id: who.accountId,
      object: "account",
      email: account?.email ?? null,
      referral_code: account?.referralCode ?? null,
      created_at: account ? unixSeconds(account.createdAt) : null,
      balance: {
        available_micros: balance.availableMicros,
        held_micros: balance.heldMicros,
        spent_micros: spent,
        available_usd: usd(balance.availableMicros),
        held_usd: usd(balance.heldMicros),
        spent_usd: usd(spent),
      },
      // What its providers earned and its referral share (withdrawable through Stripe Connect).
      earnings: {
        provider_micros: earnings.earningsMicros,
        referral_micros: earnings.referralMicros,
        provider_usd: usd(earnings.earningsMicros),
        referral_usd: usd(earnings.referralMicros),
      },
    });
  };
}

/**
 * DELETE /v1/account: erasure. Keys and sessions revoked, email/password/referral data removed,
 * the account closed. Its ledger accounts stay (the ledger stays balanced); a later deposit
 * cannot reach it, since nothing can authenticate as it any more.
 */
export function deleteAccountRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    await deps.store.accounts.eraseAccount(who.accountId);
    const balance = await deps.store.getBalance(who.accountId);
    sendJson(ctx.res, 200, {
      id: who.accountId,
      object: "account",
      deleted: true,
      // Left on the ledger, unspendable: the operator settles it (e.g. a refund) out of band.
      remaining_balance_micros: balance.availableMicros + balance.heldMicros,
    });
  };
}

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a UTC date YYYY-MM-DD");
const UsageQuery = z.object({
  start_date: Day.optional(),
  end_date: Day.optional(),
  days: z.coerce.number().int().min(1).max(MAX_USAGE_DAYS).optional(),
});

/**
 * GET /v1/usage?days=30 or ?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD (inclusive, UTC): the
 * caller's own requests per day and key, with tokens and cost.
 */
export function usageRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const parsed = UsageQuery.safeParse(Object.fromEntries(ctx.query));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join(".") || null;
      throw badRequest(`Invalid query: ${param ?? "query"}: ${issue?.message ?? "invalid"}`, param);
    }
    const q = parsed.data;
    const today = Math.floor(deps.clock.now() / DAY_MS) * DAY_MS;
    const to = q.end_date ? Date.parse(`${q.end_date}T00:00:00Z`) + DAY_MS : today + DAY_MS;
    const from = q.start_date ? Date.parse(`${q.start_date}T00:00:00Z`) : to - (q.days ?? 30) * DAY_MS;
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw badRequest("Invalid date.", q.start_date ? "start_date" : "end_date");
    if (from >= to) throw badRequest("start_date must not be after end_date.", "start_date");
    if (to - from > MAX_USAGE_DAYS * DAY_MS) throw badRequest(`At most ${MAX_USAGE_DAYS} days per query.`, "start_date");
    const rows = await deps.store.usage.byDayAndKey(who.accountId, from, to);
    const data = rows.map((r) => ({
      date: r.day,
      api_key_id: r.apiKeyId,
      requests: r.requests,
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      total_tokens: r.promptTokens + r.completionTokens,
      cost_micros: r.chargedMicros,
      cost_usd: usd(r.chargedMicros),
    }));
    const total = rows.reduce(
      (t, r) => ({ requests: t.requests + r.requests, tokens: t.tokens + r.promptTokens + r.completionTokens, micros: t.micros + r.chargedMicros }),
      { requests: 0, tokens: 0, micros: 0 },
    );
    sendJson(ctx.res, 200, {
      object: "list",
      start_date: new Date(from).toISOString().slice(0, 10),
      end_date: new Date(to - DAY_MS).toISOString().slice(0, 10),
      data,
      total: { requests: total.requests, total_tokens: total.tokens, cost_micros: total.micros, cost_usd: usd(total.micros) },
    });
  };
}
