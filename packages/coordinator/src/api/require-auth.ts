import { authenticate, type Principal } from "../auth/index.js";
import { unauthorized, type RequestContext } from "../http/index.js";
import type { Store } from "../store/index.js";

/** 401 in OpenAI shape unless the request carries a valid, unrevoked API key. */
export async function requireAuth(ctx: RequestContext, store: Store): Promise<Principal> {
  const result = await authenticate(store, ctx.req.headers);
  if (!result.ok) throw unauthorized(result.message);
  ctx.logFields.account_id = result.principal.accountId;
  return result.principal;
}
