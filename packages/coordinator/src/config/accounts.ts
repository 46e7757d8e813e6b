import { z } from "zod";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Accounts and sessions: built-in logins, session JWTs, external OIDC tokens. */
export const ACCOUNT_FIELDS = {
  /**
   * HS256 key for session JWTs. Unset: one is generated on first start and kept in the database
   * (table coordinator_secrets), so sessions survive restarts and every coordinator on the same
   * database accepts them. Rotating it signs everyone out.
   */
  sessionSecret: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -hex 32`)").max(1024).optional(),
  /** Lifetime of a session token. */
  sessionTtlHours: int(1, 24 * 366).default(168),
  /** External OpenID Connect issuer whose JWTs are accepted (its JWKS comes from discovery). */
  oidcIssuer: z.url().optional(),
  /** The `aud` such tokens must carry; required with oidcIssuer. */
  oidcAudience: z.string().min(1).max(512).optional(),
  /** Credit granted once to each new signup (0: none). */
  signupCreditUsd: z.coerce.number().finite().min(0).max(1_000).default(0),
};

export type AccountSettings = z.output<z.ZodObject<typeof ACCOUNT_FIELDS>>;

export const ACCOUNT_ENV_NAMES: Record<keyof AccountSettings, string> = {
  sessionSecret: "DARKBLOOM_SESSION_SECRET",
  sessionTtlHours: "DARKBLOOM_SESSION_TTL_HOURS",
  oidcIssuer: "DARKBLOOM_OIDC_ISSUER",
  oidcAudience: "DARKBLOOM_OIDC_AUDIENCE",
  signupCreditUsd: "DARKBLOOM_SIGNUP_CREDIT_USD",
};

export function checkAccountRelations(c: AccountSettings): { key: keyof AccountSettings; message: string }[] {
  if (c.oidcIssuer !== undefined && c.oidcAudience === undefined) {
    return [{ key: "oidcAudience", message: `is required with ${ACCOUNT_ENV_NAMES.oidcIssuer}: tokens are only accepted for this audience` }];
  }
  return [];
}
