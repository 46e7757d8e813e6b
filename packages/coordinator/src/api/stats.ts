import { sendJson, type Handler } from "../http/index.js";
import type { NetworkTotals } from "../store/index.js";
import type { ApiDeps } from "./deps.js";
import { providerStats } from "./provider-stats.js";

const DAY_MS = 86_400_000;
/** The public endpoint reads the database at most this often. */
const TOTALS_TTL_MS = 5_000;

/**
 * GET /v1/stats (public): providers online, models served, requests and tokens in the last 24 h,
 * and each connected provider's public facts with its reputation (this coordinator run).
 */
export function statsRoute(deps: ApiDeps): Handler {
  let cached: { at: number; totals: Promise<NetworkTotals> } | undefined;
  const totals = (now: number): Promise<NetworkTotals> => {
    if (!cached || now - cached.at >= TOTALS_TTL_MS) {
      const p = deps.store.usage.totalsSince(now - DAY_MS);
      cached = { at: now, totals: p };
      p.catch(() => (cached = undefined));
    }
    return cached.totals;
  };
  return async (ctx) => {
    const now = deps.clock.now();
    const t = await totals(now);
    const models = deps.registry.servedModels().map((m) => m.id).sort();
    sendJson(ctx.res, 200, {
      object: "stats",
      providers_online: deps.registry.size,
      models: models.length,
      model_ids: models,
      last_24h: {
        requests: t.requests,
        prompt_tokens: t.promptTokens,
        completion_tokens: t.completionTokens,
        total_tokens: t.promptTokens + t.completionTokens,
      },
      providers: providerStats(deps.registry.all(), deps.ops.reputation),
    });
  };
}
