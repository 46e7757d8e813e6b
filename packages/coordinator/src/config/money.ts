import { z } from "zod";

const percent = z.coerce.number().finite().min(0).max(100);
const secret = (prefix: string) =>
  z
    .string()
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .refine((v) => v.startsWith(prefix), `must start with ${prefix}`);

/** Platform fee, referral share and Stripe (payments/): unset Stripe keys → its routes answer 501. */
export const MONEY_FIELDS = {
  /** Percent of each charge the platform keeps (decimals allowed, e.g. 2.5); the provider's owner earns the rest. */
  platformFeePercent: percent.default(0),
  /** Percent of the platform fee paid to the consumer's referrer. */
  referralSharePercent: percent.default(20),
  /** Stripe API secret key (`sk_…` or a restricted `rk_…`). */
  stripeSecretKey: z.string().regex(/^(sk|rk)_[\x21-\x7e]+$/, "must look like sk_… or rk_…").optional(),
  /** Signing secret of the Stripe webhook endpoint (`whsec_…`). */
  stripeWebhookSecret: secret("whsec_").optional(),
  /** Where the Stripe SDK sends API calls (default Stripe's own API); for tests against a local recorder. */
  stripeApiBase: z.string().url().optional(),
};

export type MoneySettings = { [K in keyof typeof MONEY_FIELDS]: z.output<(typeof MONEY_FIELDS)[K]> };

export const MONEY_ENV_NAMES: Record<keyof MoneySettings, string> = {
  platformFeePercent: "DARKBLOOM_PLATFORM_FEE_PERCENT",
  referralSharePercent: "DARKBLOOM_REFERRAL_SHARE_PERCENT",
  stripeSecretKey: "DARKBLOOM_STRIPE_SECRET_KEY",
  stripeWebhookSecret: "DARKBLOOM_STRIPE_WEBHOOK_SECRET",
  stripeApiBase: "DARKBLOOM_STRIPE_API_BASE",
};
