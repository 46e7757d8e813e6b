import type { Router } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { adminCreditRoute } from "./credit.js";
import { createInviteRoute, redeemInviteRoute } from "./invites.js";
import { deleteOwnerPricingRoute, deletePlatformPricingRoute, getPricingRoute, putOwnerPricingRoute, putPlatformPricingRoute } from "./pricing.js";

/** Prices, admin credit and invite codes. */
export function addMoneyRoutes(router: Router, deps: ApiDeps): Router {
  return router
    .get("/v1/pricing", getPricingRoute(deps))
    .on("PUT", "/v1/pricing", putOwnerPricingRoute(deps))
    .on("DELETE", "/v1/pricing", deleteOwnerPricingRoute(deps))
    .on("PUT", "/v1/admin/pricing", putPlatformPricingRoute(deps))
    .on("DELETE", "/v1/admin/pricing", deletePlatformPricingRoute(deps))
    .post("/v1/admin/credit", adminCreditRoute(deps))
    .post("/v1/admin/invites", createInviteRoute(deps))
    .post("/v1/invite/redeem", redeemInviteRoute(deps));
}
