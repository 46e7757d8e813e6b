import { authenticate } from "../auth/index.js";
import type { Store } from "../store/index.js";
import type { AccountTokenResolver } from "../ws/registration/index.js";

/**
 * A provider's owner credential (`register.account_token`) is, for now, an API key of the owner's
 * account, checked exactly as a request's key is (hashed, constant-time, revocation). Device login
 * will issue a dedicated provider credential later.
 */
export function apiKeyOwner(store: Store): AccountTokenResolver {
  return async (token) => {
    const result = await authenticate(store, { authorization: `Bearer ${token}` });
    return result.ok ? result.principal.accountId : null;
  };
}
