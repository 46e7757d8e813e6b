import { z } from "zod";
import { adminGuard } from "../../auth/index.js";
import { HttpError, sendJson, type Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { readBody, usdToMicros } from "./body.js";

export const AdminCreditSchema = z
  .object({
    account_id: z.string().min(1).max(128),
    amount_usd: z.number().positive().max(1_000_000).refine((v) => usdToMicros(v) >= 1, "must be at least 0.000001"),
    /** Repeating a credit with the same key credits once. */
    idempotency_key: z.string().min(1).max(128).optional(),
  })
  .strict();

/** POST /v1/admin/credit {account_id, amount_usd}: credit from the platform's funding account. */
export function adminCreditRoute(deps: ApiDeps): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return async (ctx) => {
    guard(ctx);
    const body = await readBody(ctx, AdminCreditSchema);
    if (!(await deps.store.getAccount(body.account_id))) throw new HttpError(404, `No account ${body.account_id}.`, "account_not_found", "account_id");
    const header = ctx.req.headers["idempotency-key"];
    const key = body.idempotency_key ?? (typeof header === "string" && header.length > 0 && header.length <= 128 ? header : deps.entropy.id("credit"));
    const amountMicros = usdToMicros(body.amount_usd);
    const { replay } = await deps.store.credit({ accountId: body.account_id, amountMicros, idempotencyKey: `admin:${key}`, kind: "admin" });
    const balance = await deps.store.getBalance(body.account_id);
    sendJson(ctx.res, 200, {
      object: "credit",
      account_id: body.account_id,
      amount_micros: amountMicros,
      replay,
      balance: { available_micros: balance.availableMicros, held_micros: balance.heldMicros },
    });
  };
}
