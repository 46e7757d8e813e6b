import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, configFromEnv } from "./load.js";

const base = { DARKBLOOM_PROVIDER_TOKEN: "p".repeat(16) };

describe("account settings", () => {
  it("defaults: generated session secret, 7-day sessions, no OIDC, no signup credit", () => {
    const c = configFromEnv(base);
    assert.equal(c.sessionSecret, undefined);
    assert.equal(c.sessionTtlHours, 168);
    assert.equal(c.oidcIssuer, undefined);
    assert.equal(c.signupCreditUsd, 0);
  });

  it("reads the variables and checks them", () => {
    const c = configFromEnv({
      ...base,
      DARKBLOOM_SESSION_SECRET: "x".repeat(40),
      DARKBLOOM_OIDC_ISSUER: "https://id.example.com",
      DARKBLOOM_OIDC_AUDIENCE: "darkbloom",
      DARKBLOOM_SIGNUP_CREDIT_USD: "0.5",
    });
    assert.equal(c.oidcIssuer, "https://id.example.com");
    assert.equal(c.signupCreditUsd, 0.5);
    assert.throws(() => configFromEnv({ ...base, DARKBLOOM_SESSION_SECRET: "short" }), (e: unknown) => e instanceof ConfigError && /DARKBLOOM_SESSION_SECRET/.test(e.message));
    assert.throws(() => configFromEnv({ ...base, DARKBLOOM_OIDC_ISSUER: "https://id.example.com" }), (e: unknown) => e instanceof ConfigError && /DARKBLOOM_OIDC_AUDIENCE/.test(e.message));
    assert.throws(() => configFromEnv({ ...base, DARKBLOOM_OIDC_ISSUER: "not a url", DARKBLOOM_OIDC_AUDIENCE: "a" }), ConfigError);
  });
});
