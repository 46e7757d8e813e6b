import Stripe from "stripe";
import { z } from "zod";
import { HttpError, sendJson, type Handler } from "../http/index.js";
import { requireAuth } from "../api/require-auth.js";
import { readBody } from "../api/money/body.js";
import { errorFields } from "../log/index.js";
import { MICROS_PER_CENT, requireStripe } from "./client.js";
import type { PaymentsDeps } from "./deps.js";

const httpUrl = z
  .string()
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL");

export const ConnectSchema = z.object({ return_url: httpUrl, refresh_url: httpUrl }).strict();

/**
 * POST /v1/billing/stripe/connect {return_url, refresh_url} → {stripe_account_id, url}: creates the
 * caller's Stripe Connect (Express) account once and returns an onboarding link for it.
 */
export function connectRoute(deps: PaymentsDeps): Handler {
  return async (ctx) => {
    const { accountId } = await requireAuth(ctx, deps.store);
    const stripe = requireStripe(deps.stripe);
    const body = await readBody(ctx, ConnectSchema);
    let stripeAccountId = await deps.store.getPayoutAccount(accountId);
    if (!stripeAccountId) {
      const created = await stripe.accounts.create(
        { type: "express", metadata: { account_id: accountId }, capabilities: { transfers: { requested: true } } },
        { idempotencyKey: `connect:${accountId}` },
      );
      stripeAccountId = created.id;
      await deps.store.setPayoutAccount(accountId, stripeAccountId);
    }
    const link = await stripe.accountLinks.create({ account: stripeAccountId, type: "account_onboarding", return_url: body.return_url, refresh_url: body.refresh_url });
    sendJson(ctx.res, 200, { object: "connect.onboarding", stripe_account_id: stripeAccountId, url: link.url });
  };
}

export const WithdrawSchema = z
  .object({
    amount_usd: z
      .number()
      .min(0.01)
      .max(1_000_000)
      .refine((v) => Number.isInteger(Math.round(v * 100 * 1e6) / 1e6), "must be a whole number of cents"),
  })
  .strict();

/** A Stripe error that proves the transfer did not happen (refused by the API), as opposed to an unknown outcome. */
function definitelyFailed(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeError && typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500;
}

/**
 * POST /v1/billing/withdraw {amount_usd}: pays earnings (provider earnings, then referral
 * earnings) to the caller's Connect account with a Stripe transfer. The ledger moves the amount
 * to `platform:payouts` first; a transfer Stripe refuses is reversed. When the outcome is unknown
 * (network error, 5xx) the withdrawal stays pending and the amount stays out of the earnings, so
 * it can never be paid twice.
 */
export function withdrawRoute(deps: PaymentsDeps): Handler {
  return async (ctx) => {
    const { accountId } = await requireAuth(ctx, deps.store);
    const stripe = requireStripe(deps.stripe);
    const body = await readBody(ctx, WithdrawSchema);
    const destination = await deps.store.getPayoutAccount(accountId);
    if (!destination) throw new HttpError(409, "No payout account yet: connect one with POST /v1/billing/stripe/connect first.", "payout_account_missing");
    const cents = Math.round(body.amount_usd * 100);
    const id = deps.entropy.id("wd");
    const started = await deps.store.startWithdrawal({ id, accountId, amountMicros: cents * MICROS_PER_CENT });
    if (!started.ok) {
      throw new HttpError(402, `Insufficient earnings: ${started.availableMicros} µUSD can be withdrawn.`, "insufficient_earnings", "amount_usd");
    }
    ctx.logFields.withdrawal_id = id;
    try {
      const transfer = await stripe.transfers.create(
        { amount: cents, currency: "usd", destination, metadata: { withdrawal_id: id, account_id: accountId } },
        { idempotencyKey: `withdrawal:${id}` },
      );
      await deps.store.completeWithdrawal(id, transfer.id);
      const left = await deps.store.getEarnings(accountId);
      sendJson(ctx.res, 200, {
        object: "withdrawal",
        id,
        state: "paid",
        transfer_id: transfer.id,
        amount_usd: cents / 100,
        earnings: { earnings_micros: left.earningsMicros, referral_micros: left.referralMicros },
      });
    } catch (err) {
      if (definitelyFailed(err)) {
        await deps.store.failWithdrawal(id);
        deps.logger.warn("stripe transfer refused; withdrawal reversed", { withdrawal_id: id, ...errorFields(err) });
        throw new HttpError(502, "Stripe refused the transfer; nothing was withdrawn.", "payout_failed");
      }
      deps.logger.error("stripe transfer outcome unknown; withdrawal left pending", { withdrawal_id: id, ...errorFields(err) });
      throw new HttpError(502, `The transfer's outcome is unknown; withdrawal ${id} stays pending until it is reconciled.`, "payout_pending");
    }
  };
}
