import { z } from "zod";
import { adminGuard } from "../../auth/index.js";
import { FALLBACK_PRICE, MIN_CHARGE_MICROS, resolvePrice, type Price } from "../../billing/index.js";
import { HttpError, badRequest, sendJson, type Handler, type RequestContext } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { requireAuth } from "../require-auth.js";
import { readBody } from "./body.js";

const micros = z.number().int("must be an integer number of micro-USD").nonnegative().max(1e12);
const modelId = z.string().min(1).max(256);

export const PriceBodySchema = z.object({ model: modelId, input_per_million: micros, output_per_million: micros }).strict();

const wire = (p: Price) => ({ input_per_million: p.inputPerMillion, output_per_million: p.outputPerMillion });

function modelParam(ctx: RequestContext): string {
  const model = ctx.query.get("model");
  if (!model || model.length > 256) throw badRequest("Query parameter `model` is required.", "model");
  return model;
}

/** GET /v1/pricing (public): fallback, platform prices, and the range online providers charge per model. */
export function getPricingRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    // A key is optional here; when one is sent it must be valid, and the caller's own prices are added.
    const mine = ctx.req.headers.authorization || ctx.req.headers["x-api-key"] ? await requireAuth(ctx, deps.store) : null;
    const models = new Set([...deps.prices.platformList().map((p) => p.model), ...deps.registry.servedModels().map((m) => m.id)]);
    const data = [...models].sort().map((model) => {
      const base = resolvePrice(deps.prices, model, null);
      const offered = deps.registry.candidates(model).map((p) => resolvePrice(deps.prices, model, p).price);
      const range = (f: (p: Price) => number) => ({ min: Math.min(...offered.map(f)), max: Math.max(...offered.map(f)) });
      return {
        model,
        ...wire(base.price),
        source: base.source,
        providers: {
          online: offered.length,
          ...(offered.length > 0 && { input_per_million: range((p) => p.inputPerMillion), output_per_million: range((p) => p.outputPerMillion) }),
        },
      };
    });
    sendJson(ctx.res, 200, {
      object: "pricing",
      unit: "micro-USD per 1M tokens",
      fallback: wire(FALLBACK_PRICE),
      min_charge_micros: MIN_CHARGE_MICROS,
      platform_fee_percent: deps.config.platformFeePercent,
      referral_share_percent: deps.config.referralSharePercent,
      data,
      ...(mine && { mine: deps.prices.ownerList(mine.accountId).map((p) => ({ model: p.model, ...wire(p.price) })) }),
    });
  };
}

/** PUT /v1/pricing: the caller's price for a model on all its providers (a provider's own announced price still wins). */
export function putOwnerPricingRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const { accountId } = await requireAuth(ctx, deps.store);
    const body = await readBody(ctx, PriceBodySchema);
    await deps.prices.set({ ownerAccountId: accountId, model: body.model, inputPerMillion: body.input_per_million, outputPerMillion: body.output_per_million });
    sendJson(ctx.res, 200, { object: "price", scope: "account", ...body });
  };
}

/** DELETE /v1/pricing?model=: clears the caller's price (404 when it had none). */
export function deleteOwnerPricingRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const { accountId } = await requireAuth(ctx, deps.store);
    await deletePrice(deps, ctx, accountId);
  };
}

/** PUT /v1/admin/pricing: the platform's price for a model. */
export function putPlatformPricingRoute(deps: ApiDeps): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return async (ctx) => {
    guard(ctx);
    const body = await readBody(ctx, PriceBodySchema);
    await deps.prices.set({ ownerAccountId: null, model: body.model, inputPerMillion: body.input_per_million, outputPerMillion: body.output_per_million });
    sendJson(ctx.res, 200, { object: "price", scope: "platform", ...body });
  };
}

/** DELETE /v1/admin/pricing?model=: back to the fallback price. */
export function deletePlatformPricingRoute(deps: ApiDeps): Handler {
  const guard = adminGuard(deps.config.adminToken);
  return async (ctx) => {
    guard(ctx);
    await deletePrice(deps, ctx, null);
  };
}

async function deletePrice(deps: ApiDeps, ctx: RequestContext, owner: string | null): Promise<void> {
  const model = modelParam(ctx);
  if (!(await deps.prices.delete(owner, model))) {
    throw new HttpError(404, `No ${owner === null ? "platform" : "account"} price is set for ${model}.`, "price_not_found", "model");
  }
  sendJson(ctx.res, 200, { object: "price.deleted", scope: owner === null ? "platform" : "account", model, deleted: true });
}
