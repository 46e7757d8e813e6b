import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, configFromEnv } from "./load.js";

const env = (extra: Record<string, string>) => ({ DARKBLOOM_PROVIDER_TOKEN: "provider-token-0123456789", ...extra });

describe("money settings", () => {
  it("defaults: no fee, 20% referral share, Stripe off", () => {
    const c = configFromEnv(env({}), "/srv");
    assert.equal(c.platformFeePercent, 0);
    assert.equal(c.referralSharePercent, 20);
    assert.equal(c.stripeSecretKey, undefined);
    assert.equal(c.stripeWebhookSecret, undefined);
  });

  it("reads the fee, share and Stripe settings", () => {
    const c = configFromEnv(
      env({
        DARKBLOOM_PLATFORM_FEE_PERCENT: "2.5",
        DARKBLOOM_REFERRAL_SHARE_PERCENT: "50",
        DARKBLOOM_STRIPE_SECRET_KEY: "sk_test_abc",
        DARKBLOOM_STRIPE_WEBHOOK_SECRET: "whsec_abc",
        DARKBLOOM_STRIPE_API_BASE: "http://127.0.0.1:9999",
      }),
    );
    assert.deepEqual(
      [c.platformFeePercent, c.referralSharePercent, c.stripeSecretKey, c.stripeWebhookSecret, c.stripeApiBase],
      [2.5, 50, "sk_test_abc", "whsec_abc", "http://127.0.0.1:9999"],
    );
  });

  it("names the variable when a value is out of range or malformed", () => {
    for (const [name, value] of [
      ["DARKBLOOM_PLATFORM_FEE_PERCENT", "101"],
      ["DARKBLOOM_PLATFORM_FEE_PERCENT", "-1"],
      ["DARKBLOOM_REFERRAL_SHARE_PERCENT", "x"],
      ["DARKBLOOM_STRIPE_SECRET_KEY", "pk_live_public"],
      ["DARKBLOOM_STRIPE_WEBHOOK_SECRET", "secret"],
      ["DARKBLOOM_STRIPE_API_BASE", "not a url"],
    ] as const) {
      assert.throws(
        () => configFromEnv(env({ [name]: value })),
        (err: unknown) => err instanceof ConfigError && err.variable === name,
        `${name}=${value}`,
      );
    }
  });
});
