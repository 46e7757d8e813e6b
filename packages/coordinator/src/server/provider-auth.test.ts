import assert from "node:assert/strict";
import { test } from "node:test";
import { providerAuthorizer, unauthorizedUpgradeResponse } from "./provider-auth.js";

test("the enrollment token must be presented as a Bearer credential and match exactly", () => {
  const check = providerAuthorizer({ kind: "token", token: "s3cret-token-0123456789" });
  assert.equal(check(undefined), "missing");
  assert.equal(check(""), "missing");
  assert.equal(check("s3cret-token-0123456789"), "missing");
  assert.equal(check("Basic s3cret-token-0123456789"), "missing");
  assert.equal(check("Bearer s3cret-token-0123456789"), "ok");
  assert.equal(check("bearer  s3cret-token-0123456789 "), "ok");
  assert.equal(check("Bearer s3cret-token-012345678"), "invalid");
  assert.equal(check("Bearer s3cret-token-01234567890"), "invalid");
  assert.equal(check("Bearer S3cret-token-0123456789"), "invalid");
});

test("open registration admits anyone", () => {
  assert.equal(providerAuthorizer({ kind: "open" })(undefined), "ok");
});

test("the refusal is a complete HTTP 401 with a JSON body of the announced length", () => {
  const raw = unauthorizedUpgradeResponse("invalid");
  const [head, body] = raw.split("\r\n\r\n") as [string, string];
  assert.match(head, /^HTTP\/1\.1 401 Unauthorized\r\n/);
  assert.match(head, /WWW-Authenticate: Bearer/);
  assert.equal(Number(/Content-Length: (\d+)/.exec(head)?.[1]), Buffer.byteLength(body));
  assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, "invalid_provider_token");
});
