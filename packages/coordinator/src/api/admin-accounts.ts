import { z } from "zod";
import { adminGuard } from "../auth/index.js";
import { badRequest, sendJson, type Handler } from "../http/index.js";
import type { ApiDeps } from "./deps.js";
import { unixSeconds, usd } from "./require-account.js";

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** `next_cursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^\d+\.[A-Za-z0-9_-]+$/, "must be a next_cursor value")
    .optional(),
});

/** GET /v1/admin/accounts?limit=&cursor=: every account, newest first, with balances (admin token). */
export function adminAccountsRoute(deps: ApiDeps): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return async (ctx) => {
    guard(ctx);
    const parsed = Query.safeParse(Object.fromEntries(ctx.query));
    if (!parsed.success) {
      const param = parsed.error.issues[0]?.path.join(".") || null;
      throw badRequest(`Invalid query: ${param ?? "query"}: ${parsed.error.issues[0]?.message ?? "invalid"}`, param);
    }
    const { limit, cursor } = parsed.data;
    const dot = cursor?.indexOf(".") ?? -1;
    const before = cursor && dot > 0 ? { createdAt: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) } : undefined;
    const rows = await deps.store.accounts.listAccounts({ limit, ...(before && { before }) });
    const last = rows.length === limit ? rows[rows.length - 1] : undefined;
    sendJson(ctx.res, 200, {
      object: "list",
      data: rows.map((r) => ({
        id: r.id,
        email: r.email,
        label: r.label,
        created_at: unixSeconds(r.createdAt),
        closed_at: r.closedAt === null ? null : unixSeconds(r.closedAt),
        active_keys: r.activeKeys,
        available_micros: r.availableMicros,
        held_micros: r.heldMicros,
        available_usd: usd(r.availableMicros),
      })),
      next_cursor: last ? `${last.createdAt}.${last.id}` : null,
    });
  };
}
