import type { Store } from "../store/index.js";
import { hashApiKey } from "./api-key.js";

export const MICROS_PER_USD = 1_000_000;

/**
 * Makes sure the bootstrap key exists with its own account, and grants the bootstrap credit once
 * (idempotent across restarts: the grant is keyed by the key's hash).
 */
export async function ensureBootstrapKey(store: Store, key: string, creditUsd: number): Promise<{ accountId: string; created: boolean }> {
  const hash = hashApiKey(key);
  const existing = await store.findApiKeyByHash(hash);
  let accountId: string;
  let created = false;
  if (existing) accountId = existing.accountId;
  else {
    const account = await store.createAccount({ label: "bootstrap" });
    await store.createApiKey({ accountId: account.id, keyHash: hash, label: "bootstrap" });
    accountId = account.id;
    created = true;
  }
  const micros = Math.round(creditUsd * MICROS_PER_USD);
  if (micros > 0) {
    await store.credit({ accountId, amountMicros: micros, idempotencyKey: `bootstrap:${hash}`, kind: "grant" });
  }
  return { accountId, created };
}
