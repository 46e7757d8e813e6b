import { z } from "zod";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from "../../auth/index.js";
import { HttpError, badRequest, sendJson, type Handler } from "../../http/index.js";
import { EmailTakenError } from "../../store/index.js";
import type { ApiDeps } from "../deps.js";
import { MICROS_PER_USD, readValid, requireAccount, unixSeconds } from "../require-account.js";

const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((e) => e.toLowerCase());
const Password = z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);

const SignupSchema = z.object({
  email: Email,
  password: Password,
  referral_code: z
    .string()
    .trim()
    .max(32)
    .transform((c) => c.toUpperCase())
    .optional(),
});
const LoginSchema = z.object({ email: Email, password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });

/** POST /v1/auth/signup → 201 {account_id, token, referral_code, expires_at}. */
export function signupRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const body = await readValid(ctx, SignupSchema);
    let referredBy: string | null = null;
    if (body.referral_code !== undefined && body.referral_code !== "") {
      const referrer = await deps.store.accounts.findByReferralCode(body.referral_code);
      if (!referrer) throw badRequest("Unknown referral code.", "referral_code", "invalid_referral_code");
      referredBy = referrer.id;
    }
    const passwordHash = await hashPassword(body.password);
    let account;
    try {
      account = await deps.store.accounts.createUser({ email: body.email, passwordHash, referredBy });
    } catch (err) {
      if (err instanceof EmailTakenError) throw new HttpError(409, "An account with this email already exists; log in instead.", "email_taken", "email");
      throw err;
    }
    const credit = Math.round(deps.config.signupCreditUsd * MICROS_PER_USD);
    if (credit > 0) {
      await deps.store.credit({ accountId: account.id, amountMicros: credit, idempotencyKey: `signup:${account.id}`, kind: "grant" });
    }
    const session = await deps.accountAuth.sessions.issue(account.id);
    ctx.logFields.account_id = account.id;
    sendJson(ctx.res, 201, {
      account_id: account.id,
      token: session.token,
      token_type: "bearer",
      expires_at: unixSeconds(session.expiresAt),
      referral_code: account.referralCode,
    });
  };
}

/** POST /v1/auth/login → {token}. The same 401 for an unknown email and a wrong password. */
export function loginRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const body = await readValid(ctx, LoginSchema);
    const login = await deps.store.accounts.findLogin(body.email);
    const ok = await verifyPassword(login?.passwordHash ?? null, body.password);
    if (!login || !ok) throw new HttpError(401, "Invalid email or password.", "invalid_credentials");
    const session = await deps.accountAuth.sessions.issue(login.account.id);
    ctx.logFields.account_id = login.account.id;
    sendJson(ctx.res, 200, { account_id: login.account.id, token: session.token, token_type: "bearer", expires_at: unixSeconds(session.expiresAt) });
  };
}

/** POST /v1/auth/logout: revokes the session whose token is presented. */
export function logoutRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const principal = await requireAccount(ctx, deps);
    if (principal.kind !== "session") {
      throw badRequest("Logout ends a session: send the session token from /v1/auth/login (API keys are revoked with DELETE /v1/keys/{id}).");
    }
    await deps.accountAuth.sessions.revoke(principal.sessionId);
    sendJson(ctx.res, 200, { revoked: true });
  };
}
