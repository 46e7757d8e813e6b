import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, configFromEnv, resolveConfig } from "./load.js";
import { describeDatabase } from "./database-url.js";

const KEY = "sk-db-" + "a".repeat(64);
const TOKEN = "provider-token-0123456789";
/** Every coordinator needs a provider enrollment setting; these tests are about the others. */
const withToken = (env: Record<string, string>) => ({ DARKBLOOM_PROVIDER_TOKEN: TOKEN, ...env });

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ConfigError");
}

describe("config", () => {
  it("has the documented defaults", () => {
    const c = configFromEnv(withToken({}), "/srv");
    assert.equal(c.port, 8080);
    assert.equal(c.host, "127.0.0.1");
    assert.deepEqual(c.database, { engine: "sqlite", path: "/srv/.darkbloom/coordinator.db" });
    assert.equal(c.allowCoordinatorSealed, true);
    assert.equal(c.maxBodyBytes, 4 * 1024 * 1024);
    assert.equal(c.logLevel, "info");
    assert.equal(c.bootstrapApiKey, undefined);
    assert.equal(c.providerToken, TOKEN);
    assert.equal(c.openRegistration, false);
    assert.equal(c.maxRequestSeconds, 600);
    assert.equal(c.streamIdleTimeoutMs, 60_000);
  });

  it("reads DARKBLOOM_* variables and treats empty strings as unset", () => {
    const c = configFromEnv(
      withToken({
        DARKBLOOM_PORT: "9000",
        DARKBLOOM_HOST: "0.0.0.0",
        DARKBLOOM_ALLOW_COORDINATOR_SEALED: "false",
        DARKBLOOM_BOOTSTRAP_API_KEY: KEY,
        DARKBLOOM_BOOTSTRAP_CREDIT_USD: "12.5",
        DARKBLOOM_LOG_LEVEL: "",
      }),
      "/srv",
    );
    assert.equal(c.port, 9000);
    assert.equal(c.host, "0.0.0.0");
    assert.equal(c.allowCoordinatorSealed, false);
    assert.equal(c.bootstrapApiKey, KEY);
    assert.equal(c.bootstrapCreditUsd, 12.5);
    assert.equal(c.logLevel, "info");
  });

  it("accepts sqlite URLs, file URLs, plain paths and :memory:", () => {
    const db = (url: string) => configFromEnv(withToken({ DARKBLOOM_DATABASE_URL: url }), "/srv").database;
    assert.deepEqual(db("sqlite:data/c.db"), { engine: "sqlite", path: "/srv/data/c.db" });
    assert.deepEqual(db("sqlite:///var/c.db"), { engine: "sqlite", path: "/var/c.db" });
    assert.deepEqual(db("file:///var/c.db"), { engine: "sqlite", path: "/var/c.db" });
    assert.deepEqual(db("./c.db"), { engine: "sqlite", path: "/srv/c.db" });
    assert.deepEqual(db("/abs/c.db"), { engine: "sqlite", path: "/abs/c.db" });
    assert.deepEqual(db("sqlite::memory:"), { engine: "sqlite", memory: true });
  });

  it("selects PostgreSQL for postgres:// URLs and never shows their password", () => {
    const db = (url: string) => configFromEnv(withToken({ DARKBLOOM_DATABASE_URL: url }), "/srv").database;
    const url = "postgres://app:s3cret@db.internal:5432/darkbloom?sslmode=require";
    const target = db(url);
    assert.equal(target.engine, "postgres");
    assert.ok(target.engine === "postgres" && target.url === url, "passed to the driver unchanged");
    assert.equal(describeDatabase(target), "postgres://app:***@db.internal:5432/darkbloom?sslmode=require");
    assert.equal(db("postgresql://u@h/db").engine, "postgres");
    assert.equal(describeDatabase(db("sqlite:data/c.db")), "/srv/data/c.db");
    const err = errorOf(() => configFromEnv(withToken({ DARKBLOOM_DATABASE_URL: "postgres://app:s3cret@:5432/db" })));
    assert.equal(err.variable, "DARKBLOOM_DATABASE_URL");
    assert.doesNotMatch(err.message, /s3cret/);
  });

  it("names the variable in one line for bad values", () => {
    const cases: [Record<string, string>, string][] = [
      [{ DARKBLOOM_PORT: "http" }, "DARKBLOOM_PORT"],
      [{ DARKBLOOM_PORT: "70000" }, "DARKBLOOM_PORT"],
      [{ DARKBLOOM_BOOTSTRAP_API_KEY: "sk-db-short" }, "DARKBLOOM_BOOTSTRAP_API_KEY"],
      [{ DARKBLOOM_BOOTSTRAP_API_KEY: "sk-db-" + "A".repeat(64) }, "DARKBLOOM_BOOTSTRAP_API_KEY"],
      [{ DARKBLOOM_BOOTSTRAP_CREDIT_USD: "-1", DARKBLOOM_BOOTSTRAP_API_KEY: KEY }, "DARKBLOOM_BOOTSTRAP_CREDIT_USD"],
      [{ DARKBLOOM_ALLOW_COORDINATOR_SEALED: "maybe" }, "DARKBLOOM_ALLOW_COORDINATOR_SEALED"],
      [{ DARKBLOOM_MAX_BODY_BYTES: "12" }, "DARKBLOOM_MAX_BODY_BYTES"],
      [{ DARKBLOOM_LOG_LEVEL: "loud" }, "DARKBLOOM_LOG_LEVEL"],
      [{ DARKBLOOM_MAX_REQUEST_SECONDS: "0" }, "DARKBLOOM_MAX_REQUEST_SECONDS"],
      [{ DARKBLOOM_STREAM_IDLE_TIMEOUT_MS: "soon" }, "DARKBLOOM_STREAM_IDLE_TIMEOUT_MS"],
      [{ DARKBLOOM_DATABASE_URL: "mysql://x" }, "DARKBLOOM_DATABASE_URL"],
      [{ DARKBLOOM_PROVIDER_TOKEN: "short" }, "DARKBLOOM_PROVIDER_TOKEN"],
      [{ DARKBLOOM_PROVIDER_TOKEN: "has a space in it, sixteen+" }, "DARKBLOOM_PROVIDER_TOKEN"],
      [{ DARKBLOOM_OPEN_REGISTRATION: "perhaps" }, "DARKBLOOM_OPEN_REGISTRATION"],
    ];
    for (const [env, name] of cases) {
      const err = errorOf(() => configFromEnv(withToken(env)));
      assert.equal(err.variable, name, JSON.stringify(env));
      assert.ok(err.message.startsWith(name));
      assert.ok(!err.message.includes("\n"));
    }
  });

  it("refuses to start without a provider enrollment setting, or with both", () => {
    const none = errorOf(() => configFromEnv({}));
    assert.equal(none.variable, "DARKBLOOM_PROVIDER_TOKEN");
    assert.match(none.message, /is required/);
    assert.match(none.message, /DARKBLOOM_OPEN_REGISTRATION=true/);
    assert.ok(!none.message.includes("\n"));
    assert.equal(configFromEnv({ DARKBLOOM_OPEN_REGISTRATION: "true" }).openRegistration, true);
    const both = errorOf(() => configFromEnv(withToken({ DARKBLOOM_OPEN_REGISTRATION: "true" })));
    assert.equal(both.variable, "DARKBLOOM_OPEN_REGISTRATION");
  });

  it("checks dependent timeouts and sizes against each other", () => {
    assert.equal(errorOf(() => resolveConfig({ providerEvictionMs: 6_000, heartbeatIntervalMs: 5_000 })).variable, "DARKBLOOM_PROVIDER_EVICTION_MS");
    assert.equal(errorOf(() => resolveConfig({ registerTimeoutMs: 90_000 })).variable, "DARKBLOOM_REGISTER_TIMEOUT_MS");
    assert.equal(errorOf(() => resolveConfig({ writeTimeoutMs: 95_000 })).variable, "DARKBLOOM_WRITE_TIMEOUT_MS");
    assert.equal(errorOf(() => resolveConfig({ writeTimeoutMs: 1_000 })).variable, "DARKBLOOM_WRITE_TIMEOUT_MS");
    assert.equal(errorOf(() => resolveConfig({ maxBodyBytes: 9 * 1024 * 1024 })).variable, "DARKBLOOM_MAX_BODY_BYTES");
    assert.equal(errorOf(() => resolveConfig({ bootstrapCreditUsd: 5 })).variable, "DARKBLOOM_BOOTSTRAP_CREDIT_USD");
    assert.equal(errorOf(() => resolveConfig({ maxRequestSeconds: 30 })).variable, "DARKBLOOM_STREAM_IDLE_TIMEOUT_MS");
    assert.equal(resolveConfig({ maxRequestSeconds: 2, streamIdleTimeoutMs: 1_000, providerToken: TOKEN }).maxRequestSeconds, 2);
  });
});
