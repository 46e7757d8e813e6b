import { Router } from "../http/index.js";
import { countTokensRoute, messagesRoute } from "./anthropic/index.js";
import { chatCompletionsRoute } from "./chat/index.js";
import { completionsRoute } from "./completions/index.js";
import type { ApiDeps } from "./deps.js";
import { healthRoute } from "./health.js";
import { modelsRoute } from "./models.js";
import { providerKeysRoute } from "./provider-keys.js";
import { responsesRoute } from "./responses/index.js";

/** Every consumer-facing route. The provider socket (GET /ws/provider) is an upgrade, not a route. */
export function buildRouter(deps: ApiDeps): Router {
  return new Router()
    .get("/health", healthRoute(deps))
    .get("/v1/models", modelsRoute(deps))
    .get("/v1/providers/keys", providerKeysRoute(deps))
    .post("/v1/chat/completions", chatCompletionsRoute(deps))
    .post("/v1/completions", completionsRoute(deps))
    .post("/v1/responses", responsesRoute(deps))
    .post("/v1/messages", messagesRoute(deps))
    .post("/v1/messages/count_tokens", countTokensRoute(deps));
}
