import type { Router } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { deviceCodeRoute } from "./code.js";
import { deviceDecisionRoute } from "./decide.js";
import { AttemptLimiter } from "./attempts.js";
import { linkPageRoute, linkScriptRoute } from "./link-page.js";
import { deviceRevokeRoute } from "./revoke.js";
import { deviceTokenRoute } from "./token.js";

export { providerTokenOwner, presentedAccountToken } from "./provider-token.js";
export { isAccountToken, sha256Hex } from "./codes.js";

/** Wrong user codes an account may enter per 10 minutes. */
const MAX_CODE_FAILURES = 10;
/** New device codes one client address may start per 10 minutes. */
const MAX_CODES_PER_ADDRESS = 30;

/** Device login (RFC 8628) and the Link page. */
export function addDeviceRoutes(router: Router, deps: ApiDeps): void {
  const failures = new AttemptLimiter({ max: MAX_CODE_FAILURES, windowMs: 10 * 60_000, maxKeys: 10_000, now: deps.clock.now });
  const codes = new AttemptLimiter({ max: MAX_CODES_PER_ADDRESS, windowMs: 10 * 60_000, maxKeys: 10_000, now: deps.clock.now });
  router
    .post("/v1/device/code", deviceCodeRoute(deps, codes))
    .post("/v1/device/token", deviceTokenRoute(deps))
    .post("/v1/device/approve", deviceDecisionRoute(deps, true, failures))
    .post("/v1/device/deny", deviceDecisionRoute(deps, false, failures))
    .post("/v1/device/revoke", deviceRevokeRoute(deps))
    .get("/link", linkPageRoute())
    .get("/link/link.js", linkScriptRoute());
}
