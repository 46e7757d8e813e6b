import { DeviceDecisionRequestSchema } from "@darkbloom/protocol";
import { HttpError, sendJson, type Handler } from "../../http/index.js";
import type { DecideOutcome } from "../../store/index.js";
import type { ApiDeps } from "../deps.js";
import { readValid, requireAccount } from "../require-account.js";
import { normalizeUserCode, sha256Hex } from "./codes.js";
import type { AttemptLimiter } from "./attempts.js";

/**
 * POST /v1/device/approve and /v1/device/deny `{user_code}` (a logged-in user: session, API key or
 * OIDC). Approving links the device to the caller's account and moves what it earned unlinked
 * there. Wrong codes count against the account (at most a few per window, then 429).
 */
export function deviceDecisionRoute(deps: ApiDeps, approve: boolean, failures: AttemptLimiter): Handler {
  return async (ctx) => {
    const principal = await requireAccount(ctx, deps);
    const wait = failures.retryAfterS(principal.accountId);
    if (wait > 0) throw new HttpError(429, "Too many wrong codes; wait before trying again.", "too_many_attempts", null, { "retry-after": String(wait) });
    const body = await readValid(ctx, DeviceDecisionRequestSchema);
    const code = normalizeUserCode(body.user_code);
    const outcome: DecideOutcome = code === null ? { kind: "unknown" } : await deps.store.devices.decide(sha256Hex(code), principal.accountId, approve);
    switch (outcome.kind) {
      case "unknown":
        failures.count(principal.accountId);
        throw new HttpError(404, "No device is waiting with this code; check it, or run `darkbloom login` again.", "invalid_user_code", "user_code");
      case "expired":
        throw new HttpError(400, "This code has expired; run `darkbloom login` again.", "expired_user_code", "user_code");
      case "already_decided":
        throw new HttpError(409, "This code was already approved or denied.", "user_code_used", "user_code");
      case "ok":
        ctx.logFields.device_id = outcome.deviceId;
        if (approve) deps.logger.info("provider linked to an account", { account_id: principal.accountId, device_id: outcome.deviceId, moved_micros: outcome.movedMicros });
        sendJson(ctx.res, 200, { object: "device_link", approved: approve, device_id: outcome.deviceId, moved_micros: outcome.movedMicros });
    }
  };
}
