import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from "jose";
import { z } from "zod";

const DiscoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

/** Asymmetric algorithms only: an OIDC token is never accepted on a shared secret. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

export interface OidcOptions {
  issuer: string;
  audience: string;
  now: () => number;
  fetch?: typeof fetch;
}

/**
 * External OpenID Connect tokens, verified against the issuer's JWKS (found by discovery at
 * `<issuer>/.well-known/openid-configuration`, cached by jose with its own key refresh rules).
 */
export class OidcVerifier {
  private jwks: Promise<JWTVerifyGetKey> | undefined;
  readonly issuer: string;

  constructor(private readonly opts: OidcOptions) {
    this.issuer = opts.issuer;
  }

  /** The token's subject when it is a valid token of this issuer for our audience; null otherwise. */
  async verify(token: string): Promise<{ issuer: string; subject: string } | null> {
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keys();
    } catch (err) {
      this.jwks = undefined; // retry discovery on the next token
      throw err;
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        algorithms: ALGORITHMS,
        currentDate: new Date(this.opts.now()),
        requiredClaims: ["sub", "exp"],
      });
      return payload.sub ? { issuer: this.opts.issuer, subject: payload.sub } : null;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }

  private keys(): Promise<JWTVerifyGetKey> {
    return (this.jwks ??= (async () => {
      const base = this.opts.issuer.replace(/\/+$/, "");
      const res = await (this.opts.fetch ?? fetch)(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`OIDC discovery failed: HTTP ${res.status}`);
      const doc = DiscoverySchema.parse(await res.json());
      if (doc.issuer !== this.opts.issuer) throw new Error("OIDC discovery: issuer mismatch");
      return createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 10_000 });
    })());
  }
}
