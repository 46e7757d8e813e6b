import type { IncomingHttpHeaders } from "node:http";
import type { Store } from "../store/index.js";
import { digestsEqual, hashApiKey, isApiKeyShaped, presentedKey } from "./api-key.js";

export interface Principal {
  accountId: string;
  apiKeyId: string;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; message: string };

const LAST_USED_RESOLUTION_MS = 60_000;
const MISSING = "Missing API key. Send `Authorization: Bearer sk-db-...` (or `x-api-key: sk-db-...`).";
const INVALID = "Invalid API key.";

/** Resolves the request's API key to an account; the key is hashed before any lookup. */
export async function authenticate(store: Store, headers: IncomingHttpHeaders): Promise<AuthResult> {
  const key = presentedKey(headers);
  if (key === undefined) return { ok: false, message: MISSING };
  if (!isApiKeyShaped(key)) return { ok: false, message: INVALID };
  const hash = hashApiKey(key);
  const rec = await store.findApiKeyByHash(hash);
  if (!rec || !digestsEqual(rec.keyHash, hash) || rec.revokedAt !== null) return { ok: false, message: INVALID };
  // "Last used" for the key list; written at most once a minute per key.
  await store.keys.touch(rec.id, Date.now(), LAST_USED_RESOLUTION_MS);
  return { ok: true, principal: { accountId: rec.accountId, apiKeyId: rec.id } };
}
