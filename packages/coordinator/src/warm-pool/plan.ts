import type { LoadAction, PoolProvider, PoolSettings } from "./types.js";

/** Loaded providers a model needs for `rate` req/s: ⌈rate × service time / slots per provider⌉, at least 1 while it has traffic. */
export function targetProviders(rate: number, s: PoolSettings): number {
  if (rate <= 0) return 0;
  return Math.max(1, Math.ceil((rate * s.serviceSeconds) / Math.max(1, s.slotsPerProvider)));
}

/**
 * Loads to send now (pure): for each model with traffic, busiest first, while fewer providers have
 * it loaded (or loading) than its target, ask an eligible provider — one that offers it, is idle,
 * has no pending load, holds fewer than the model limit, reports room (free_for_load_gb ≥ the
 * model's size) and is not cooling down for it — preferring the most room, then the lowest id.
 * At most one load per provider per plan.
 */
export function planLoads(rates: ReadonlyMap<string, number>, providers: readonly PoolProvider[], s: PoolSettings): LoadAction[] {
  const busy = new Set(providers.filter((p) => p.pendingLoad).map((p) => p.id));
  const pendingByModel = new Map<string, number>();
  const actions: LoadAction[] = [];
  const models = [...rates].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [model, rate] of models) {
    const target = targetProviders(rate, s);
    let have = providers.filter((p) => p.loaded.has(model)).length + (pendingByModel.get(model) ?? 0);
    while (have < target) {
      const pick = providers
        .filter((p) => eligible(p, model, s) && !busy.has(p.id))
        .sort((a, b) => (b.freeForLoadGb ?? 0) - (a.freeForLoadGb ?? 0) || a.id.localeCompare(b.id))[0];
      if (!pick) break;
      busy.add(pick.id);
      have++;
      pendingByModel.set(model, (pendingByModel.get(model) ?? 0) + 1);
      actions.push({ providerId: pick.id, model, detail: `${rate.toFixed(3)} req/s needs ${target} loaded, had ${have - 1}` });
    }
  }
  return actions;
}

function eligible(p: PoolProvider, model: string, s: PoolSettings): boolean {
  const size = p.offered.get(model);
  if (size === undefined || p.loaded.has(model)) return false;
  if (!p.idle || p.pendingLoad || p.coolingDown.has(model)) return false;
  if (p.loaded.size >= s.maxModelsPerProvider) return false;
  return p.freeForLoadGb !== undefined && p.freeForLoadGb >= size;
}
