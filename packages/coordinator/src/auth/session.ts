import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import type { AccountStore } from "../store/index.js";

/** `iss` and `aud` of the coordinator's own session tokens (anything else is not a session token). */
export const SESSION_ISSUER = "darkbloom-coordinator";
export const SESSION_AUDIENCE = "darkbloom-session";
const ALG = "HS256";

export interface SessionClaims {
  accountId: string;
  sessionId: string;
}

export interface SessionDeps {
  accounts: AccountStore;
  now: () => number;
  ttlMs: number;
}

/**
 * Session JWTs: HS256-signed by the coordinator, carrying the account (`sub`) and a session id
 * (`sid`). A token is accepted only while its session row is unrevoked and unexpired and its
 * account open, so logout, revocation and erasure take effect on the very next request.
 */
export class Sessions {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly deps: SessionDeps,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(accountId: string): Promise<{ token: string; sessionId: string; expiresAt: number }> {
    const now = this.deps.now();
    const expiresAt = now + this.deps.ttlMs;
    const session = await this.deps.accounts.createSession({ accountId, expiresAt });
    const token = await new SignJWT({ sid: session.id })
      .setProtectedHeader({ alg: ALG, typ: "JWT" })
      .setSubject(accountId)
      .setIssuer(SESSION_ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.key);
    return { token, sessionId: session.id, expiresAt };
  }

  /** The live session a token names, or null (bad signature, expired, revoked, account closed). */
  async verify(token: string): Promise<SessionClaims | null> {
    let sub: string | undefined;
    let sid: unknown;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALG],
        issuer: SESSION_ISSUER,
        audience: SESSION_AUDIENCE,
        currentDate: new Date(this.deps.now()),
        requiredClaims: ["sub", "exp"],
      });
      sub = payload.sub;
      sid = payload.sid;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
    if (typeof sid !== "string" || sub === undefined) return null;
    const session = await this.deps.accounts.getSession(sid);
    if (!session || session.accountId !== sub || session.revokedAt !== null || session.expiresAt <= this.deps.now()) return null;
    const account = await this.deps.accounts.getUser(sub);
    if (!account || account.closedAt !== null) return null;
    return { accountId: sub, sessionId: sid };
  }

  revoke(sessionId: string): Promise<boolean> {
    return this.deps.accounts.revokeSession(sessionId);
  }
}
