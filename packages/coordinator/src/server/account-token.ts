import { authenticate } from "../auth/index.js";
import type { Store } from "../store/index.js";
import type { AccountTokenResolver, BearerAccount } from "../ws/registration/index.js";
import { providerTokenOwner } from "../api/device/index.js";

/**
 * `register.account_token`: an API key of the owner's account, checked exactly as a request's key
 * is (hashed, constant-time, revocation). Kept for compatibility; device login's account token on
 * the upgrade (below) is the dedicated provider credential.
 */
export function apiKeyOwner(store: Store): AccountTokenResolver {
  return async (token) => {
    const result = await authenticate(store, { authorization: `Bearer ${token}` });
    return result.ok ? result.principal.accountId : null;
  };
}

/** The provider account token on the WebSocket upgrade (device login): its account and identity, or null. */
export function bearerAccountOf(store: Store): (token: string) => Promise<BearerAccount | null> {
  return async (token) => {
    const owner = await providerTokenOwner(store, token);
    return owner ? { accountId: owner.accountId, deviceId: owner.deviceId, identityKey: owner.identityKey } : null;
  };
}
