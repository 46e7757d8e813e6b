import {
  DEVICE_CODE_GRANT_TYPE,
  DeviceCodeResponseSchema,
  DeviceTokenErrorSchema,
  DeviceTokenResponseSchema,
  encodeBase64,
  signDeviceCodeRequest,
  type DeviceCodeResponse,
  type DeviceTokenResponse,
} from "@darkbloom/protocol";
import type { Identity } from "../identity/identity-store.js";

/** What the RFC 8628 flow needs from the outside world (injected: tests drive it without waiting). */
export interface DeviceLoginIo {
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Shows the code and URL to the operator. */
  prompt(code: DeviceCodeResponse): void;
}

export class DeviceLoginError extends Error {
  override readonly name = "DeviceLoginError";
}

/** RFC 8628 §3.5: each `slow_down` adds 5 s to the polling interval. */
const SLOW_DOWN_STEP_S = 5;
const REQUEST_TIMEOUT_MS = 30_000;

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

/**
 * `darkbloom login`: asks the coordinator for a device code (signed by this provider's identity
 * key), shows the user code and URL, then polls the token endpoint at the given interval (longer
 * after each `slow_down`) until the code is approved (→ the account token), denied or expired.
 */
export async function deviceLogin(origin: string, identity: Identity, io: DeviceLoginIo, clientName?: string): Promise<DeviceTokenResponse> {
  const signed = signDeviceCodeRequest(encodeBase64(identity.publicKey), identity.secretKey, io.now());
  const res = await io.fetch(`${origin}/v1/device/code`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...signed, ...(clientName !== undefined && { client_name: clientName }) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await readJson(res);
  if (!res.ok) {
    const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
    throw new DeviceLoginError(`the coordinator refused the login (HTTP ${res.status})${typeof message === "string" ? `: ${message.slice(0, 300)}` : ""}`);
  }
  const code = DeviceCodeResponseSchema.parse(body);
  io.prompt(code);
  let intervalS = code.interval;
  const deadline = io.now() + code.expires_in * 1000;
  for (;;) {
    await io.sleep(intervalS * 1000);
    if (io.now() > deadline) throw new DeviceLoginError("the code expired before it was approved: run `darkbloom login` again");
    const poll = await io.fetch(`${origin}/v1/device/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: code.device_code }).toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answer = await readJson(poll);
    if (poll.ok) return DeviceTokenResponseSchema.parse(answer);
    const err = DeviceTokenErrorSchema.safeParse(answer);
    if (!err.success) throw new DeviceLoginError(`unexpected answer from the coordinator (HTTP ${poll.status})`);
    switch (err.data.error) {
      case "authorization_pending":
        continue;
      case "slow_down":
        intervalS += SLOW_DOWN_STEP_S;
        continue;
      case "access_denied":
        throw new DeviceLoginError("the login was denied on the Link page");
      case "expired_token":
        throw new DeviceLoginError("the code expired before it was approved: run `darkbloom login` again");
      default:
        throw new DeviceLoginError(`the coordinator refused the code: ${err.data.error_description ?? err.data.error}`);
    }
  }
}
