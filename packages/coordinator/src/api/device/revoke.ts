import { sendJson, unauthorized, type Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { sha256Hex } from "./codes.js";
import { presentedAccountToken } from "./provider-token.js";

/** POST /v1/device/revoke (bearer: the provider's account token): `darkbloom logout`; the device is unlinked. */
export function deviceRevokeRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const token = presentedAccountToken(ctx.req.headers.authorization);
    if (token === undefined) throw unauthorized("Send the provider's account token: `Authorization: Bearer dbat-…`.");
    const owner = await deps.store.devices.tokenOwner(sha256Hex(token));
    if (!owner || !(await deps.store.devices.revokeToken(sha256Hex(token)))) throw unauthorized("This account token is not valid (already revoked?).");
    ctx.logFields.account_id = owner.accountId;
    ctx.logFields.device_id = owner.deviceId;
    deps.logger.info("provider unlinked from its account", { account_id: owner.accountId, device_id: owner.deviceId });
    sendJson(ctx.res, 200, { object: "device_link", revoked: true, device_id: owner.deviceId });
  };
}
