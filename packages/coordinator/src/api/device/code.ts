import { DeviceCodeRequestSchema, verifyDeviceCodeRequest, type DeviceCodeResponse } from "@darkbloom/protocol";
import { HttpError, badRequest, sendJson, type Handler, type RequestContext } from "../../http/index.js";
import { providerIdFor } from "../../ws/provider-id.js";
import type { ApiDeps } from "../deps.js";
import { readValid } from "../require-account.js";
import type { AttemptLimiter } from "./attempts.js";
import { newDeviceCode, newUserCode, sha256Hex } from "./codes.js";

/** RFC 8628 numbers: a code lives 10 minutes; poll every 5 s (each slow_down adds 5 s). */
export const DEVICE_CODE_TTL_S = 600;
export const DEVICE_POLL_INTERVAL_S = 5;
/** A signed device-code request must be this fresh (either way). */
export const DEVICE_PROOF_MAX_SKEW_MS = 60_000;
/** Unexpired codes at once: in total, and per provider identity. */
export const DEVICE_CODE_LIMITS = { maxPending: 10_000, maxPerDevice: 5 };

const HOST_RE = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

/** Where people approve codes: DARKBLOOM_PUBLIC_URL, else the host this request came in on. */
function publicBase(ctx: RequestContext, configured: string | undefined): string {
  if (configured !== undefined) return configured.replace(/\/+$/, "");
  const host = ctx.req.headers.host;
  return `http://${host !== undefined && HOST_RE.test(host) ? host : "127.0.0.1"}`;
}

/**
 * POST /v1/device/code (RFC 8628 §3.1–3.2), JSON `{identity_key, timestamp, signature, client_name?}`:
 * the provider identity to link, signed by it (fresh, each signed request accepted once). Answers
 * the device_code (polled at /v1/device/token) and the user_code a logged-in user enters at /link.
 */
export function deviceCodeRoute(deps: ApiDeps, perAddress: AttemptLimiter): Handler {
  return async (ctx) => {
    // Identities cost nothing to make: new codes are also limited per client address.
    const address = ctx.req.socket.remoteAddress ?? "unknown";
    const wait = perAddress.retryAfterS(address);
    if (wait > 0) throw new HttpError(429, "Too many device codes from this address; wait before starting another login.", "too_many_device_codes", null, { "retry-after": String(wait) });
    const body = await readValid(ctx, DeviceCodeRequestSchema);
    const now = deps.clock.now();
    if (Math.abs(now - body.timestamp) > DEVICE_PROOF_MAX_SKEW_MS) {
      throw badRequest(`The request's timestamp is more than ${DEVICE_PROOF_MAX_SKEW_MS / 1000} s from the coordinator's clock; check this machine's clock.`, "timestamp", "stale_request");
    }
    if (!verifyDeviceCodeRequest(body)) throw badRequest("The signature does not verify with identity_key.", "signature", "invalid_signature");
    const deviceId = providerIdFor(body.identity_key);
    ctx.logFields.device_id = deviceId;
    for (let attempt = 0; attempt < 3; attempt++) {
      const deviceCode = newDeviceCode();
      const userCode = newUserCode();
      const outcome = await deps.store.devices.createCode(
        {
          codeHash: sha256Hex(deviceCode),
          userCodeHash: sha256Hex(userCode.replace("-", "")),
          proofHash: sha256Hex(body.signature),
          identityKey: body.identity_key,
          deviceId,
          clientName: body.client_name ?? null,
          intervalMs: DEVICE_POLL_INTERVAL_S * 1000,
          expiresAt: now + DEVICE_CODE_TTL_S * 1000,
        },
        DEVICE_CODE_LIMITS,
      );
      if (outcome === "user_code_taken") continue;
      if (outcome === "replay") throw new HttpError(409, "This signed request was already used; sign a new one.", "replayed_request");
      if (outcome === "created") perAddress.count(address);
      if (outcome === "too_many") throw new HttpError(429, "Too many pending device codes; finish or let one expire first.", "too_many_device_codes", null, { "retry-after": "60" });
      const base = publicBase(ctx, deps.config.publicUrl);
      const answer: DeviceCodeResponse = {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: `${base}/link`,
        verification_uri_complete: `${base}/link?user_code=${userCode}`,
        expires_in: DEVICE_CODE_TTL_S,
        interval: DEVICE_POLL_INTERVAL_S,
      };
      sendJson(ctx.res, 200, answer, { "cache-control": "no-store" });
      return;
    }
    throw new HttpError(503, "Could not allocate a user code; retry.", "user_code_unavailable", null, { "retry-after": "1" });
  };
}
