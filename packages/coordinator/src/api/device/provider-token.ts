import { bearerToken } from "../../auth/index.js";
import type { ProviderTokenOwner, Store } from "../../store/index.js";
import { isAccountToken, sha256Hex } from "./codes.js";

/** The live provider account token's owner, or null (malformed, unknown or revoked). */
export async function providerTokenOwner(store: Store, token: string): Promise<ProviderTokenOwner | null> {
  if (!isAccountToken(token)) return null;
  return store.devices.tokenOwner(sha256Hex(token));
}

/** The `Authorization: Bearer` value when it is shaped like a provider account token. */
export function presentedAccountToken(authorization: string | undefined): string | undefined {
  const token = bearerToken(authorization);
  return token !== undefined && isAccountToken(token) ? token : undefined;
}
