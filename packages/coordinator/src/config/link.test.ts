import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, configFromEnv } from "./load.js";

const base = { DARKBLOOM_PROVIDER_TOKEN: "provider-token-0123456789" };

test("release token, minimum provider version and public URL: unset by default, validated, named when wrong", () => {
  const d = configFromEnv(base);
  assert.deepEqual([d.releaseToken, d.minProviderVersion, d.publicUrl], [undefined, undefined, undefined]);
  const c = configFromEnv({ ...base, DARKBLOOM_RELEASE_TOKEN: "release-token-0123456789", DARKBLOOM_MIN_PROVIDER_VERSION: "1.2.0-rc.1", DARKBLOOM_PUBLIC_URL: "https://c.example" });
  assert.deepEqual([c.releaseToken, c.minProviderVersion, c.publicUrl], ["release-token-0123456789", "1.2.0-rc.1", "https://c.example"]);
  for (const [name, value] of [
    ["DARKBLOOM_RELEASE_TOKEN", "short"],
    ["DARKBLOOM_MIN_PROVIDER_VERSION", "1.2"],
    ["DARKBLOOM_MIN_PROVIDER_VERSION", "v1.2.3"],
    ["DARKBLOOM_PUBLIC_URL", "ftp://c.example"],
  ] as const) {
    assert.throws(() => configFromEnv({ ...base, [name]: value }), (err: unknown) => err instanceof ConfigError && err.variable === name && !err.message.includes("\n"));
  }
});
