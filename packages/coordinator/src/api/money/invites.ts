import { randomBytes } from "node:crypto";
import { z } from "zod";
import { adminGuard } from "../../auth/index.js";
import { HttpError, sendJson, type Handler } from "../../http/index.js";
import type { InviteRecord } from "../../store/index.js";
import type { ApiDeps } from "../deps.js";
import { requireAuth } from "../require-auth.js";
import { microsToUsd, readBody, usdToMicros } from "./body.js";

export const INVITE_CODE_RE = /^INV-[0-9a-f]{8}$/;

export const CreateInviteSchema = z
  .object({
    amount_usd: z.number().positive().max(100_000).refine((v) => usdToMicros(v) >= 1, "must be at least 0.000001"),
    max_uses: z.number().int().min(1).max(1_000_000).default(1),
    /** ISO 8601 time after which the code no longer redeems; absent: never expires. */
    expires_at: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export const RedeemInviteSchema = z.object({ code: z.string().min(1).max(64) }).strict();

const inviteJson = (i: InviteRecord) => ({
  object: "invite",
  code: i.code,
  amount_usd: microsToUsd(i.amountMicros),
  amount_micros: i.amountMicros,
  max_uses: i.maxUses,
  uses: i.uses,
  expires_at: i.expiresAt === null ? null : new Date(i.expiresAt).toISOString(),
  created_at: new Date(i.createdAt).toISOString(),
});

/** POST /v1/admin/invites: a new `INV-<8 hex>` code worth `amount_usd`, for `max_uses` accounts. */
export function createInviteRoute(deps: ApiDeps): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return async (ctx) => {
    guard(ctx);
    const body = await readBody(ctx, CreateInviteSchema);
    const expiresAt = body.expires_at === undefined ? null : Date.parse(body.expires_at);
    if (expiresAt !== null && expiresAt <= deps.clock.now()) throw new HttpError(400, "expires_at is in the past.", "invalid_request", "expires_at");
    // 32 random bits: retry the rare collision with an existing code.
    for (let attempt = 0; ; attempt++) {
      const code = `INV-${randomBytes(4).toString("hex")}`;
      try {
        const invite = await deps.store.createInvite({ code, amountMicros: usdToMicros(body.amount_usd), maxUses: body.max_uses, expiresAt });
        sendJson(ctx.res, 201, inviteJson(invite));
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  };
}

/** POST /v1/invite/redeem {code}: credits the caller's account once per code. */
export function redeemInviteRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const { accountId } = await requireAuth(ctx, deps.store);
    const body = await readBody(ctx, RedeemInviteSchema);
    const code = body.code.trim().replace(/^inv-/i, "INV-").replace(/[A-F]/g, (c) => c.toLowerCase());
    if (!INVITE_CODE_RE.test(code)) throw new HttpError(400, "code must look like INV-<8 hex digits>.", "invalid_request", "code");
    const result = await deps.store.redeemInvite(code, accountId);
    if (!result.ok) {
      if (result.reason === "not_found") throw new HttpError(404, "No such invite code.", "invite_not_found", "code");
      if (result.reason === "expired") throw new HttpError(410, "This invite code has expired.", "invite_expired", "code");
      throw new HttpError(409, "This invite code has been used up.", "invite_exhausted", "code");
    }
    const balance = await deps.store.getBalance(accountId);
    sendJson(ctx.res, 200, {
      object: "invite.redemption",
      code,
      credited_micros: result.amountMicros,
      credited_usd: microsToUsd(result.amountMicros),
      replay: result.replay,
      balance: { available_micros: balance.availableMicros, held_micros: balance.heldMicros },
    });
  };
}
