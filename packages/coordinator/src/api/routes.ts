import { Router } from "../http/index.js";
import { chatCompletionsRoute } from "./chat/index.js";
import type { ApiDeps } from "./deps.js";
import { healthRoute } from "./health.js";
import { addPaymentRoutes } from "../payments/index.js";
import { addMoneyRoutes } from "./money/index.js";
import { modelsRoute } from "./models.js";
import { providerKeysRoute } from "./provider-keys.js";

/** Every consumer-facing route. The provider socket (GET /ws/provider) is an upgrade, not a route. */
export function buildRouter(deps: ApiDeps): Router {
  const router = new Router()
    .get("/health", healthRoute(deps))
    .get("/v1/models", modelsRoute(deps))
    .get("/v1/providers/keys", providerKeysRoute(deps))
    .post("/v1/chat/completions", chatCompletionsRoute(deps));
  addMoneyRoutes(router, deps);
  addPaymentRoutes(router, { store: deps.store, stripe: deps.stripe, webhookSecret: deps.config.stripeWebhookSecret, entropy: deps.entropy, logger: deps.logger });
  return router;
}
