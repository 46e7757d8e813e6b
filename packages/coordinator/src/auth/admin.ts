import { HttpError, type RequestContext } from "../http/index.js";
import { bearerToken, secretMatcher } from "./secret.js";

/**
 * Guards /v1/admin/*: `Authorization: Bearer <DARKBLOOM_ADMIN_TOKEN>`, compared in constant time.
 * With no admin token configured every admin route answers 403 saying how to enable it.
 */
export function adminGuard(adminToken: string | undefined): (ctx: RequestContext) => void {
  const matches = adminToken === undefined ? undefined : secretMatcher(adminToken);
  return (ctx) => {
    if (!matches) throw new HttpError(403, "Admin routes are disabled: set DARKBLOOM_ADMIN_TOKEN on the coordinator.", "admin_disabled");
    const token = bearerToken(ctx.req.headers.authorization);
    if (token === undefined) throw new HttpError(401, "Missing admin token. Send `Authorization: Bearer <admin token>`.", "invalid_admin_token");
    if (!matches(token)) throw new HttpError(401, "Invalid admin token.", "invalid_admin_token");
    ctx.logFields.admin = true;
  };
}
