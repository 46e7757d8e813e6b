import type { ModelCapacityList } from "@darkbloom/protocol";
import { modelCapacity } from "../admission/index.js";
import { sendJson, type Handler } from "../http/index.js";
import type { ApiDeps } from "./deps.js";
import { requireAuth } from "./require-auth.js";

/**
 * GET /v1/models/capacity (any valid API key): per model served now, or with requests waiting,
 * what admission sees (admission/capacity.ts), computed through the registry and queue interfaces.
 */
export function capacityRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    await requireAuth(ctx, deps.store);
    const models = new Set(deps.registry.servedModels().map((m) => m.id));
    for (const m of deps.admission.queuedModels()) models.add(m);
    const body: ModelCapacityList = { object: "list", data: [...models].sort().map((m) => modelCapacity(deps.admission, m)) };
    sendJson(ctx.res, 200, body);
  };
}
