import type { Router } from "../http/index.js";
import { checkoutRoute } from "./checkout.js";
import type { PaymentsDeps } from "./deps.js";
import { connectRoute, withdrawRoute } from "./payouts.js";
import { webhookRoute } from "./webhook.js";

export { createStripeClient, MICROS_PER_CENT, type StripeClient } from "./client.js";
export type { PaymentsDeps } from "./deps.js";

/** Stripe deposits (Checkout + verified webhook) and payouts (Connect transfers). */
export function addPaymentRoutes(router: Router, deps: PaymentsDeps): Router {
  return router
    .post("/v1/billing/stripe/checkout", checkoutRoute(deps))
    .post("/v1/billing/stripe/webhook", webhookRoute(deps))
    .post("/v1/billing/stripe/connect", connectRoute(deps))
    .post("/v1/billing/withdraw", withdrawRoute(deps));
}
