import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, configFromEnv, resolveConfig } from "./load.js";

const variableOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.variable;
  }
  assert.fail("expected a ConfigError");
};

describe("HTTP limit settings", () => {
  it("have defaults and are read from the environment", () => {
    const d = configFromEnv({ DARKBLOOM_OPEN_REGISTRATION: "true" });
    assert.deepEqual(
      [d.httpHeadersTimeoutMs, d.httpBodyTimeoutMs, d.httpIdleTimeoutMs, d.httpKeepAliveTimeoutMs, d.maxConnectionsPerIp, d.accessLogLevel],
      [20_000, 60_000, 15_000, 5_000, 256, "info"],
    );
    const c = configFromEnv({
      DARKBLOOM_OPEN_REGISTRATION: "true",
      DARKBLOOM_HTTP_HEADERS_TIMEOUT_MS: "1000",
      DARKBLOOM_HTTP_BODY_TIMEOUT_MS: "2000",
      DARKBLOOM_HTTP_IDLE_TIMEOUT_MS: "500",
      DARKBLOOM_HTTP_KEEP_ALIVE_TIMEOUT_MS: "400",
      DARKBLOOM_MAX_CONNECTIONS_PER_IP: "100000",
      DARKBLOOM_ACCESS_LOG_LEVEL: "debug",
    });
    assert.deepEqual(
      [c.httpHeadersTimeoutMs, c.httpBodyTimeoutMs, c.httpIdleTimeoutMs, c.httpKeepAliveTimeoutMs, c.maxConnectionsPerIp, c.accessLogLevel],
      [1000, 2000, 500, 400, 100_000, "debug"],
    );
  });

  it("refuse bad values and inconsistent timeouts, naming the variable", () => {
    assert.equal(variableOf(() => configFromEnv({ DARKBLOOM_MAX_CONNECTIONS_PER_IP: "0" })), "DARKBLOOM_MAX_CONNECTIONS_PER_IP");
    assert.equal(variableOf(() => configFromEnv({ DARKBLOOM_ACCESS_LOG_LEVEL: "warn" })), "DARKBLOOM_ACCESS_LOG_LEVEL");
    assert.equal(variableOf(() => configFromEnv({ DARKBLOOM_HTTP_BODY_TIMEOUT_MS: "0" })), "DARKBLOOM_HTTP_BODY_TIMEOUT_MS");
    assert.equal(variableOf(() => resolveConfig({ httpHeadersTimeoutMs: 70_000 })), "DARKBLOOM_HTTP_HEADERS_TIMEOUT_MS");
    assert.equal(variableOf(() => resolveConfig({ httpIdleTimeoutMs: 60_000 })), "DARKBLOOM_HTTP_IDLE_TIMEOUT_MS");
    assert.equal(variableOf(() => resolveConfig({ httpKeepAliveTimeoutMs: 20_000 })), "DARKBLOOM_HTTP_KEEP_ALIVE_TIMEOUT_MS");
  });
});
