import assert from "node:assert/strict";
import { it } from "node:test";
import { ConfigError, configFromEnv } from "./load.js";

const env = (extra: Record<string, string>) => ({ DARKBLOOM_PROVIDER_TOKEN: "provider-token-0123456789", ...extra });

it("queue and speculative dispatch: SPEC defaults, read from DARKBLOOM_*, validated", () => {
  const d = configFromEnv(env({}), "/srv");
  assert.equal(d.queueDepth, 10);
  assert.equal(d.queueMaxWaitMs, 120_000);
  assert.equal(d.speculativeDispatch, true);
  const c = configFromEnv(env({ DARKBLOOM_QUEUE_DEPTH: "3", DARKBLOOM_QUEUE_MAX_WAIT_MS: "5000", DARKBLOOM_SPECULATIVE_DISPATCH: "false" }), "/srv");
  assert.equal(c.queueDepth, 3);
  assert.equal(c.queueMaxWaitMs, 5_000);
  assert.equal(c.speculativeDispatch, false);
  const bad: [string, string][] = [
    ["DARKBLOOM_QUEUE_DEPTH", "-1"],
    ["DARKBLOOM_QUEUE_DEPTH", "ten"],
    ["DARKBLOOM_QUEUE_MAX_WAIT_MS", "10"],
    ["DARKBLOOM_SPECULATIVE_DISPATCH", "maybe"],
  ];
  for (const [name, value] of bad) {
    assert.throws(() => configFromEnv(env({ [name]: value }), "/srv"), (err) => err instanceof ConfigError && err.message.includes(name));
  }
});
