import type { z } from "zod";
import type { AccountPrincipal } from "../auth/index.js";
import { badRequest, readJson, unauthorized, type RequestContext } from "../http/index.js";
import type { ApiDeps } from "./deps.js";

/** Account routes take small bodies. */
export const ACCOUNT_BODY_LIMIT = 16 * 1024;

/** 401 unless the request carries a live session token, an unrevoked API key or (if configured) a valid OIDC token. */
export async function requireAccount(ctx: RequestContext, deps: Pick<ApiDeps, "accountAuth">): Promise<AccountPrincipal> {
  const result = await deps.accountAuth.authenticate(ctx.req.headers);
  if (!result.ok) throw unauthorized(result.message);
  ctx.logFields.account_id = result.principal.accountId;
  ctx.logFields.auth = result.principal.kind;
  return result.principal;
}

/** Reads and validates a JSON body; a violation is a 400 naming its field (`param`). Unknown fields are ignored. */
export async function readValid<T>(ctx: RequestContext, schema: z.ZodType<T>, opts: { optional?: boolean } = {}): Promise<T> {
  const declared = ctx.req.headers["content-length"];
  const empty = declared === "0" || (declared === undefined && ctx.req.headers["transfer-encoding"] === undefined);
  const value = opts.optional && empty ? {} : (await readJson(ctx.req, ACCOUNT_BODY_LIMIT)).value;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
  throw badRequest(`Invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
}

export const MICROS_PER_USD = 1_000_000;
export const usd = (micros: number): number => micros / MICROS_PER_USD;
/** Epoch ms → Unix seconds, as OpenAI objects carry times. */
export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);
