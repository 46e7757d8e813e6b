import Stripe from "stripe";
import { HttpError } from "../http/index.js";

export type StripeClient = InstanceType<typeof Stripe>;

export interface StripeSettings {
  stripeSecretKey?: string | undefined;
  stripeWebhookSecret?: string | undefined;
  stripeApiBase?: string | undefined;
}

/**
 * The official Stripe SDK client. `stripeApiBase` (DARKBLOOM_STRIPE_API_BASE) only points the same
 * SDK at another host, e.g. a local recorder in tests; the code path is the production one.
 */
export function createStripeClient(secretKey: string, apiBase: string | undefined): StripeClient {
  const target = apiBase ? new URL(apiBase) : undefined;
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(target && {
      host: target.hostname,
      port: target.port || (target.protocol === "http:" ? 80 : 443),
      protocol: target.protocol === "http:" ? "http" : "https",
    }),
  });
}

export const notConfigured = (what: string) =>
  new HttpError(501, `Stripe is not configured on this coordinator: set ${what} to enable it.`, "payments_not_configured");

/** The client, or 501 naming the setting to add. */
export function requireStripe(client: StripeClient | undefined): StripeClient {
  if (!client) throw notConfigured("DARKBLOOM_STRIPE_SECRET_KEY");
  return client;
}

/** 1 US cent in micro-USD. */
export const MICROS_PER_CENT = 10_000;
