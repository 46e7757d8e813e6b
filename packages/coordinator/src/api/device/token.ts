import {
  DEVICE_CODE_GRANT_TYPE,
  DeviceTokenRequestSchema,
  type DeviceTokenError,
  type DeviceTokenErrorCode,
  type DeviceTokenResponse,
} from "@darkbloom/protocol";
import { HttpError, parseJson, readBody, sendJson, type Handler, type RequestContext } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { newAccountToken, sha256Hex } from "./codes.js";

/** A code polled this often is spent (10 min at 5 s is 120 polls; slow_down only lengthens the interval). */
export const DEVICE_POLL_LIMITS = { maxPolls: 200, slowDownStepMs: 5_000 };
const TOKEN_BODY_LIMIT = 4 * 1024;
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

const DESCRIPTIONS: Record<DeviceTokenErrorCode, string> = {
  authorization_pending: "The user has not approved this code yet; keep polling.",
  slow_down: "Polling too fast; wait longer between polls.",
  expired_token: "The device code expired; start again with a new one.",
  access_denied: "The user denied this device.",
  invalid_grant: "Unknown or already used device code.",
  invalid_request: "Send grant_type and device_code (form-encoded or JSON).",
  unsupported_grant_type: `grant_type must be ${DEVICE_CODE_GRANT_TYPE}.`,
};

function oauthError(ctx: RequestContext, error: DeviceTokenErrorCode, extra: Record<string, number> = {}): void {
  const body: DeviceTokenError & Record<string, unknown> = { error, error_description: DESCRIPTIONS[error], ...extra };
  ctx.logFields.device_token = error;
  sendJson(ctx.res, 400, body, NO_STORE);
}

/** The body as fields: form-encoded (RFC 8628 §3.4) or JSON. */
async function readFields(ctx: RequestContext): Promise<unknown> {
  const raw = await readBody(ctx.req, TOKEN_BODY_LIMIT);
  const type = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return parseJson(raw);
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  throw new HttpError(415, "Send application/x-www-form-urlencoded (RFC 8628) or application/json.", "unsupported_media_type");
}

/**
 * POST /v1/device/token (RFC 8628 §3.4–3.5): `authorization_pending`, `slow_down`,
 * `expired_token`, `access_denied`, `invalid_grant`, or — once, after approval — the provider's
 * account token (stored only as its hash).
 */
export function deviceTokenRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const fields = await readFields(ctx);
    const parsed = DeviceTokenRequestSchema.safeParse(fields);
    if (!parsed.success) {
      const grant = typeof fields === "object" && fields !== null ? (fields as { grant_type?: unknown }).grant_type : undefined;
      return oauthError(ctx, typeof grant === "string" && grant !== DEVICE_CODE_GRANT_TYPE ? "unsupported_grant_type" : "invalid_request");
    }
    const token = newAccountToken();
    const outcome = await deps.store.devices.poll(sha256Hex(parsed.data.device_code), { tokenId: deps.entropy.id("pt"), tokenHash: sha256Hex(token) }, DEVICE_POLL_LIMITS);
    switch (outcome.kind) {
      case "unknown":
        return oauthError(ctx, "invalid_grant");
      case "pending":
        return oauthError(ctx, "authorization_pending");
      case "slow_down":
        return oauthError(ctx, "slow_down", { interval: Math.ceil(outcome.intervalMs / 1000) });
      case "expired":
        return oauthError(ctx, "expired_token");
      case "denied":
        return oauthError(ctx, "access_denied");
      case "issued": {
        ctx.logFields.account_id = outcome.accountId;
        ctx.logFields.device_id = outcome.deviceId;
        const answer: DeviceTokenResponse = { access_token: token, token_type: "Bearer", account_id: outcome.accountId, device_id: outcome.deviceId };
        sendJson(ctx.res, 200, answer, NO_STORE);
        return;
      }
    }
  };
}
