import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, configFromEnv } from "./load.js";

const env = (extra: Record<string, string> = {}) => ({ DARKBLOOM_PROVIDER_TOKEN: "provider-token-0123456789", ...extra });

function variableOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes("\n"));
    return err.variable;
  }
  assert.fail("expected a ConfigError");
}

describe("trust config", () => {
  it("defaults: challenge every 5 min, 30 s to answer, 60 s skew, min trust self_signed", () => {
    const c = configFromEnv(env());
    assert.deepEqual(
      { i: c.challengeIntervalMs, t: c.challengeTimeoutMs, s: c.challengeMaxSkewMs, m: c.minTrust },
      { i: 300_000, t: 30_000, s: 60_000, m: "self_signed" },
    );
    assert.equal(configFromEnv(env({ DARKBLOOM_MIN_TRUST: "hardware" })).minTrust, "hardware");
  });

  it("refuses bad values and a timeout not shorter than the interval, naming the variable", () => {
    assert.equal(variableOf(() => configFromEnv(env({ DARKBLOOM_MIN_TRUST: "none" }))), "DARKBLOOM_MIN_TRUST");
    assert.equal(variableOf(() => configFromEnv(env({ DARKBLOOM_MIN_TRUST: "tpm" }))), "DARKBLOOM_MIN_TRUST");
    assert.equal(variableOf(() => configFromEnv(env({ DARKBLOOM_CHALLENGE_INTERVAL_MS: "soon" }))), "DARKBLOOM_CHALLENGE_INTERVAL_MS");
    assert.equal(variableOf(() => configFromEnv(env({ DARKBLOOM_CHALLENGE_MAX_SKEW_MS: "10" }))), "DARKBLOOM_CHALLENGE_MAX_SKEW_MS");
    assert.equal(
      variableOf(() => configFromEnv(env({ DARKBLOOM_CHALLENGE_INTERVAL_MS: "1000", DARKBLOOM_CHALLENGE_TIMEOUT_MS: "1000" }))),
      "DARKBLOOM_CHALLENGE_TIMEOUT_MS",
    );
    assert.equal(configFromEnv(env({ DARKBLOOM_CHALLENGE_INTERVAL_MS: "1000", DARKBLOOM_CHALLENGE_TIMEOUT_MS: "800" })).challengeTimeoutMs, 800);
  });
});
