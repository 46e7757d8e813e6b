import { z } from "zod";
import type { Handler } from "../http/index.js";
import { sendJson } from "../http/index.js";
import { requireAuth } from "../api/require-auth.js";
import { readBody } from "../api/money/body.js";
import type { PaymentsDeps } from "./deps.js";
import { requireStripe } from "./client.js";

export const MIN_DEPOSIT_USD = 0.5;
export const MAX_DEPOSIT_USD = 10_000;

const httpUrl = z
  .string()
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL");

export const CheckoutSchema = z
  .object({
    amount_usd: z
      .number()
      .min(MIN_DEPOSIT_USD, `must be at least ${MIN_DEPOSIT_USD}`)
      .max(MAX_DEPOSIT_USD)
      .refine((v) => Number.isInteger(Math.round(v * 100 * 1e6) / 1e6), "must be a whole number of cents"),
    /** Where Stripe sends the buyer after paying / after giving up. */
    success_url: httpUrl,
    cancel_url: httpUrl,
  })
  .strict();

/**
 * POST /v1/billing/stripe/checkout {amount_usd, success_url, cancel_url} → {id, url}: a Stripe
 * Checkout session for a deposit. Nothing is credited here: only the verified webhook credits.
 */
export function checkoutRoute(deps: PaymentsDeps): Handler {
  return async (ctx) => {
    const { accountId } = await requireAuth(ctx, deps.store);
    const stripe = requireStripe(deps.stripe);
    const body = await readBody(ctx, CheckoutSchema);
    const cents = Math.round(body.amount_usd * 100);
    const session = await stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: cents, product_data: { name: "Darkbloom credit" } } }],
        client_reference_id: accountId,
        metadata: { account_id: accountId },
        payment_intent_data: { metadata: { account_id: accountId } },
        success_url: body.success_url,
        cancel_url: body.cancel_url,
      },
      { idempotencyKey: `checkout:${ctx.requestId}` },
    );
    ctx.logFields.checkout_session = session.id;
    sendJson(ctx.res, 201, { object: "checkout.session", id: session.id, url: session.url, amount_usd: cents / 100 });
  };
}
