import type { Handler } from "../http/index.js";
import { sendJson } from "../http/index.js";
import type { ApiDeps } from "./deps.js";
import { requireAuth } from "./require-auth.js";

/** GET /v1/models: OpenAI list of models served by connected providers. */
export function modelsRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    await requireAuth(ctx, deps.store);
    const data = deps.registry.servedModels().map((m) => ({
      id: m.id,
      object: "model",
      created: Math.floor(m.firstSeenAt / 1000),
      owned_by: "darkbloom",
    }));
    sendJson(ctx.res, 200, { object: "list", data });
  };
}
