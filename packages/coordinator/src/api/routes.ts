import { Router } from "../http/index.js";
import { countTokensRoute, messagesRoute } from "./anthropic/index.js";
import { chatCompletionsRoute } from "./chat/index.js";
import { completionsRoute } from "./completions/index.js";
import type { ApiDeps } from "./deps.js";
import { healthRoute, readyzRoute } from "./health.js";
import { drainRoute } from "../drain/index.js";
import { metricsRoute } from "../metrics/index.js";
import { addPaymentRoutes } from "../payments/index.js";
import { addMoneyRoutes } from "./money/index.js";
import { modelsRoute } from "./models.js";
import { providerKeysRoute } from "./provider-keys.js";
import { providerAttestationsRoute } from "./provider-attestations.js";
import { responsesRoute, storedResponseRoute } from "./responses/index.js";
import { accountRoute, deleteAccountRoute, usageRoute } from "./account/routes.js";
import { accountProvidersRoute } from "./account/providers.js";
import { adminAccountsRoute } from "./admin-accounts.js";
import { loginRoute, logoutRoute, signupRoute } from "./auth/routes.js";
import { createKeyRoute, deleteKeyRoute, listKeysRoute, patchKeyRoute, rotateKeyRoute } from "./keys/routes.js";
import { modelByIdRoute } from "./model-by-id.js";
import { statsRoute } from "./stats.js";
import { disputeRoute } from "./disputes.js";
import { catalogRoute, registerModelRoute } from "./catalog/index.js";
import { capacityRoute } from "./capacity.js";
import { providerModelRoute, warmPoolRoute } from "./warm-pool/routes.js";
import { addDeviceRoutes } from "./device/index.js";
import { latestReleaseRoute, registerReleaseRoute } from "./releases.js";
import { providerEarningsRoute } from "./provider-earnings.js";

/** Every consumer-facing route. The provider socket (GET /ws/provider) is an upgrade, not a route. */
export function buildRouter(deps: ApiDeps): Router {
  const router = new Router()
    .get("/health", healthRoute(deps))
    // Operations: readiness (503 while draining), Prometheus, graceful drain.
    .get("/readyz", readyzRoute(deps))
    .get("/metrics", metricsRoute(deps.ops.metrics, { metricsToken: deps.config.metricsToken, adminToken: deps.config.adminToken }))
    .post("/v1/admin/drain", drainRoute({ adminToken: deps.config.adminToken, gate: deps.ops.drain, graceMs: deps.config.shutdownGraceMs, beginShutdown: deps.ops.beginShutdown }))
    .get("/v1/models", modelsRoute(deps))
    .get("/v1/providers/keys", providerKeysRoute(deps))
    .get("/v1/providers/attestation", providerAttestationsRoute(deps))
    .post("/v1/chat/completions", chatCompletionsRoute(deps))
    .post("/v1/completions", completionsRoute(deps))
    .post("/v1/responses", responsesRoute(deps))
    .get("/v1/responses/:id", storedResponseRoute())
    .post("/v1/messages", messagesRoute(deps))
    .post("/v1/messages/count_tokens", countTokensRoute(deps))
    // Accounts, sessions, keys (issue 6).
    .post("/v1/auth/signup", signupRoute(deps))
    .post("/v1/auth/login", loginRoute(deps))
    .post("/v1/auth/logout", logoutRoute(deps))
    .post("/v1/keys", createKeyRoute(deps))
    .get("/v1/keys", listKeysRoute(deps))
    .patch("/v1/keys/:id", patchKeyRoute(deps))
    .delete("/v1/keys/:id", deleteKeyRoute(deps))
    .post("/v1/keys/:id/rotate", rotateKeyRoute(deps))
    .get("/v1/account", accountRoute(deps))
    .get("/v1/account/providers", accountProvidersRoute(deps))
    .delete("/v1/account", deleteAccountRoute(deps))
    .get("/v1/usage", usageRoute(deps))
    .get("/v1/admin/accounts", adminAccountsRoute(deps))
    .get("/v1/stats", statsRoute(deps))
    .post("/v1/disputes", disputeRoute(deps))
    // Model registry (issue 9); the exact path wins over /v1/models/*id.
    .post("/v1/admin/models/register", registerModelRoute(deps))
    .get("/v1/models/catalog", catalogRoute(deps))
    .get("/v1/models/capacity", capacityRoute(deps))
    // Warm pool (issue 7): operator view and model loads.
    .get("/v1/admin/warm-pool", warmPoolRoute(deps))
    .post("/v1/admin/providers/:id/load", providerModelRoute(deps, "load"))
    .post("/v1/admin/providers/:id/unload", providerModelRoute(deps, "unload"))
    .get("/v1/models/*id", modelByIdRoute(deps))
    // Releases, device login, provider earnings (issue 8).
    .post("/v1/releases", registerReleaseRoute(deps))
    .get("/v1/releases/latest", latestReleaseRoute(deps))
    .get("/v1/provider/earnings", providerEarningsRoute(deps));
  addDeviceRoutes(router, deps);
  addMoneyRoutes(router, deps);
  addPaymentRoutes(router, { store: deps.store, stripe: deps.stripe, webhookSecret: deps.config.stripeWebhookSecret, entropy: deps.entropy, logger: deps.logger });
  return router;
}
