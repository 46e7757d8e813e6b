import { notFound, sendJson, type Handler } from "../http/index.js";
import type { ApiDeps } from "./deps.js";
import { requireAuth } from "./require-auth.js";

/** Path words under /v1/models/ that name other resources, never a model. */
export const RESERVED_MODEL_IDS: ReadonlySet<string> = new Set(["capacity", "catalog"]);

/** GET /v1/models/{id}: one served model (ids may contain `/`). */
export function modelByIdRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    await requireAuth(ctx, deps.store);
    const id = ctx.params.id ?? "";
    if (RESERVED_MODEL_IDS.has(id)) throw notFound(`\`${id}\` is a reserved path, not a model id.`, "model_not_found");
    const model = deps.registry.servedModels().find((m) => m.id === id);
    if (!model) throw notFound(`The model \`${id}\` does not exist or no provider serves it.`, "model_not_found");
    ctx.logFields.model = id;
    sendJson(ctx.res, 200, { id: model.id, object: "model", created: Math.floor(model.firstSeenAt / 1000), owned_by: "darkbloom" });
  };
}
