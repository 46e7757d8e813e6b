import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { decodeJwt } from "jose";
import type { AccountSettings } from "../config/accounts.js";
import type { Store } from "../store/index.js";
import { API_KEY_PREFIX, presentedKey } from "./api-key.js";
import { authenticate } from "./authenticate.js";
import { OidcVerifier } from "./oidc.js";
import { SESSION_ISSUER, Sessions } from "./session.js";

/** Who is calling an account route, and with what. */
export type AccountPrincipal =
  | { kind: "api_key"; accountId: string; apiKeyId: string }
  | { kind: "session"; accountId: string; sessionId: string }
  | { kind: "oidc"; accountId: string };

export type AccountAuthResult = { ok: true; principal: AccountPrincipal } | { ok: false; message: string };

const MISSING = "Missing credentials. Send `Authorization: Bearer <session token or sk-db-... API key>`.";
const INVALID_TOKEN = "Invalid or expired session token.";

/** Name of the generated session signing key in coordinator_secrets. */
export const SESSION_SECRET_NAME = "session_jwt_hs256";

/**
 * Account-route authentication: an API key (`sk-db-…`), a coordinator session JWT, or (when
 * configured) an external OIDC JWT. Every check reads the store, so revocation is immediate.
 */
export class AccountAuth {
  constructor(
    private readonly store: Store,
    readonly sessions: Sessions,
    private readonly oidc: OidcVerifier | undefined,
  ) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<AccountAuthResult> {
    const token = presentedKey(headers);
    if (token === undefined) return { ok: false, message: MISSING };
    if (token.startsWith(API_KEY_PREFIX)) {
      const r = await authenticate(this.store, headers);
      return r.ok ? { ok: true, principal: { kind: "api_key", ...r.principal } } : r;
    }
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      return { ok: false, message: INVALID_TOKEN };
    }
    if (issuer === SESSION_ISSUER) {
      const s = await this.sessions.verify(token);
      return s ? { ok: true, principal: { kind: "session", accountId: s.accountId, sessionId: s.sessionId } } : { ok: false, message: INVALID_TOKEN };
    }
    if (this.oidc && issuer === this.oidc.issuer) {
      const id = await this.oidc.verify(token);
      if (!id) return { ok: false, message: "Invalid or expired identity token." };
      const account = await this.store.accounts.accountForIdentity(id);
      if (account.closedAt !== null) return { ok: false, message: "This account is closed." };
      return { ok: true, principal: { kind: "oidc", accountId: account.id } };
    }
    return { ok: false, message: INVALID_TOKEN };
  }
}

/**
 * The session key: DARKBLOOM_SESSION_SECRET, else one generated on first start and kept in the
 * database. The database (not a file) because every coordinator sharing it must accept the same
 * tokens and restarts must not sign everyone out; whoever can read the database could forge a
 * token, but a token is only honored for a live session row in that same database anyway.
 */
export async function createAccountAuth(
  settings: Pick<AccountSettings, "sessionSecret" | "sessionTtlHours" | "oidcIssuer" | "oidcAudience">,
  store: Store,
  now: () => number,
): Promise<AccountAuth> {
  const secret = settings.sessionSecret ?? (await store.accounts.secret(SESSION_SECRET_NAME, () => randomBytes(32).toString("base64url")));
  const sessions = new Sessions(secret, { accounts: store.accounts, now, ttlMs: settings.sessionTtlHours * 3_600_000 });
  const oidc =
    settings.oidcIssuer !== undefined && settings.oidcAudience !== undefined
      ? new OidcVerifier({ issuer: settings.oidcIssuer, audience: settings.oidcAudience, now })
      : undefined;
  return new AccountAuth(store, sessions, oidc);
}
