import Stripe from "stripe";
import { z } from "zod";
import { HttpError, readBody as readRawBody, sendJson, type Handler } from "../http/index.js";
import { MICROS_PER_CENT, notConfigured } from "./client.js";
import type { PaymentsDeps } from "./deps.js";

/** Stripe events are small; anything larger is not from Stripe. */
const WEBHOOK_BODY_BYTES = 1024 * 1024;

/** The parts of a Checkout session a deposit needs (checked even though the event is signed). */
const PaidSessionSchema = z.object({
  id: z.string().min(1).max(255),
  payment_status: z.string(),
  amount_total: z.number().int().positive().nullable(),
  currency: z.string().nullable(),
  metadata: z.object({ account_id: z.string().min(1).max(128) }).passthrough().nullable(),
});

const DEPOSIT_EVENTS = new Set(["checkout.session.completed", "checkout.session.async_payment_succeeded"]);

/**
 * POST /v1/billing/stripe/webhook: the only way a deposit is credited. The raw body's
 * `Stripe-Signature` is verified with the SDK (`webhooks.constructEvent`, the endpoint secret, the
 * SDK's 5-minute tolerance); anything else is refused with 400 and changes nothing. The credit is
 * idempotent per Checkout session (`stripe:checkout:<session id>`), so a replayed event, or the
 * two events one delayed payment produces, credit once.
 */
export function webhookRoute(deps: PaymentsDeps): Handler {
  return async (ctx) => {
    if (!deps.webhookSecret) throw notConfigured("DARKBLOOM_STRIPE_WEBHOOK_SECRET");
    const raw = await readRawBody(ctx.req, WEBHOOK_BODY_BYTES);
    const signature = ctx.req.headers["stripe-signature"];
    if (typeof signature !== "string" || signature.length === 0) throw new HttpError(400, "Missing Stripe-Signature header.", "invalid_signature");
    let event: ReturnType<typeof Stripe.webhooks.constructEvent>;
    try {
      event = Stripe.webhooks.constructEvent(raw, signature, deps.webhookSecret);
    } catch {
      deps.logger.warn("stripe webhook refused: bad signature", { request_id: ctx.requestId });
      throw new HttpError(400, "Webhook signature verification failed.", "invalid_signature");
    }
    ctx.logFields.stripe_event = event.id;
    ctx.logFields.stripe_event_type = event.type;
    if (!DEPOSIT_EVENTS.has(event.type)) return sendJson(ctx.res, 200, { received: true, handled: false });

    const session = PaidSessionSchema.safeParse(event.data.object);
    if (!session.success || session.data.payment_status !== "paid" || session.data.currency !== "usd" || !session.data.amount_total || !session.data.metadata) {
      // Unpaid yet (async methods send a later event) or not one of our deposit sessions.
      return sendJson(ctx.res, 200, { received: true, handled: false });
    }
    const { id, amount_total: cents, metadata } = session.data;
    const accountId = metadata.account_id;
    if (!(await deps.store.getAccount(accountId))) {
      deps.logger.error("stripe deposit for an unknown account", { stripe_event: event.id, checkout_session: id, account_id: accountId });
      return sendJson(ctx.res, 200, { received: true, handled: false });
    }
    const amountMicros = cents * MICROS_PER_CENT;
    const { replay } = await deps.store.credit({ accountId, amountMicros, idempotencyKey: `stripe:checkout:${id}`, kind: "deposit" });
    deps.logger.info("stripe deposit", { stripe_event: event.id, checkout_session: id, account_id: accountId, amount_micros: amountMicros, replay });
    sendJson(ctx.res, 200, { received: true, handled: true, replay });
  };
}
