import { sendJson, type Handler } from "../http/index.js";
import type { NetworkTotals, ProviderDisputeCount } from "../store/index.js";
import type { ApiDeps } from "./deps.js";

const DAY_MS = 86_400_000;
/** The public endpoint reads the database at most this often. */
const TOTALS_TTL_MS = 5_000;
/** Providers listed with their dispute counts (most disputed first). */
const DISPUTED_PROVIDERS_LISTED = 100;

interface Totals {
  usage: NetworkTotals;
  disputes: ProviderDisputeCount[];
}

/**
 * GET /v1/stats (public): providers online, models served, requests and tokens in the last 24 h,
 * and receipt disputes per provider (what reputation weighs).
 */
export function statsRoute(deps: ApiDeps): Handler {
  let cached: { at: number; totals: Promise<Totals> } | undefined;
  const totals = (now: number): Promise<Totals> => {
    if (!cached || now - cached.at >= TOTALS_TTL_MS) {
      const p = Promise.all([deps.store.usage.totalsSince(now - DAY_MS), deps.store.disputes.countsByProvider(DISPUTED_PROVIDERS_LISTED)]).then(
        ([usage, disputes]) => ({ usage, disputes }),
      );
      cached = { at: now, totals: p };
      p.catch(() => (cached = undefined));
    }
    return cached.totals;
  };
  return async (ctx) => {
    const now = deps.clock.now();
    const { usage: t, disputes } = await totals(now);
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
      disputes: disputes.map((d) => ({ provider_id: d.providerId, disputes: d.disputes })),
    });
  };
}
