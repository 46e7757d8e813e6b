import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { generateApiKey } from "../auth/index.js";
import { apiClient } from "../test-support/api-client.js";
import { TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/** External OIDC tokens, verified against a local issuer that serves discovery + JWKS over HTTP. */
const AUDIENCE = "darkbloom-test";
let issuerServer: Server;
let issuer: string;
let signingKey: CryptoKey;
let coord: RunningCoordinator;
const api = apiClient(() => coord.url);

before(async () => {
  const pair = await generateKeyPair("ES256");
  signingKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  issuerServer = createServer((req, res) => {
    const body =
      req.url === "/.well-known/openid-configuration"
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : req.url === "/jwks"
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((r) => issuerServer.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  coord = await startCoordinator({
    port: 0,
    databaseUrl: "sqlite::memory:",
    bootstrapApiKey: generateApiKey(),
    providerToken: TEST_PROVIDER_TOKEN,
    logLevel: "silent",
    oidcIssuer: issuer,
    oidcAudience: AUDIENCE,
  });
});

after(async () => {
  await coord.close();
  await new Promise((r) => issuerServer.close(r));
});

async function idToken(opts: { sub?: string; aud?: string; iss?: string; expSeconds?: number; key?: CryptoKey | Uint8Array; alg?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: opts.alg ?? "ES256", kid: "k1" })
    .setSubject(opts.sub ?? "user-1")
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.expSeconds ?? 600))
    .sign(opts.key ?? signingKey);
}

describe("OIDC tokens", () => {
  it("finds or creates the account by issuer + subject", async () => {
    const a = await api("GET", "/v1/account", { token: await idToken({ sub: "alice" }) });
    assert.equal(a.status, 200, JSON.stringify(a.json));
    const again = await api("GET", "/v1/account", { token: await idToken({ sub: "alice" }) });
    assert.equal(again.json.id, a.json.id);
    const bob = await api("GET", "/v1/account", { token: await idToken({ sub: "bob" }) });
    assert.notEqual(bob.json.id, a.json.id);
    const key = await api("POST", "/v1/keys", { token: await idToken({ sub: "alice" }), body: { name: "from-oidc" } });
    assert.equal(key.status, 201, "an OIDC token manages keys");
  });

  it("refuses wrong audience, expired, foreign-key, HS256 and other-issuer tokens", async () => {
    const other = await generateKeyPair("ES256");
    const cases: [string, string][] = [
      ["wrong audience", await idToken({ aud: "someone-else" })],
      ["expired", await idToken({ expSeconds: -120 })],
      ["signed by another key", await idToken({ key: other.privateKey })],
      ["HS256 (algorithm confusion)", await idToken({ alg: "HS256", key: new TextEncoder().encode("x".repeat(32)) })],
      ["another issuer", await idToken({ iss: "https://evil.example" })],
    ];
    for (const [what, token] of cases) {
      assert.equal((await api("GET", "/v1/account", { token })).status, 401, what);
    }
  });

  it("an erased OIDC account is gone; the same identity starts a new one", async () => {
    const token = await idToken({ sub: "carol" });
    const first = await api("GET", "/v1/account", { token });
    assert.equal((await api("DELETE", "/v1/account", { token })).status, 200);
    const next = await api("GET", "/v1/account", { token: await idToken({ sub: "carol" }) });
    assert.equal(next.status, 200);
    assert.notEqual(next.json.id, first.json.id);
  });
});
