import { CLOSE_BAD_ACCOUNT_TOKEN, type ProviderModel, type RegisterFrame } from "@darkbloom/protocol";
import type { Refusal } from "./check-register.js";

/** Resolves a register frame's `account_token` to the owner's account id, or null when it is not valid. */
export type AccountTokenResolver = (token: string) => Promise<string | null>;

/**
 * The provider's owner: absent token → unlinked (null); a token that does not resolve is
 * refused, so a provider whose owner mistyped the key is told rather than silently unpaid.
 */
export async function resolveOwner(frame: RegisterFrame, resolve: AccountTokenResolver | undefined): Promise<{ ok: true; ownerAccountId: string | null } | Refusal> {
  if (frame.account_token === undefined || resolve === undefined) return { ok: true, ownerAccountId: null };
  const owner = await resolve(frame.account_token);
  if (owner === null) return { ok: false, code: CLOSE_BAD_ACCOUNT_TOKEN, reason: "account token not accepted: use an active API key of the provider owner's account (--account-key / DARKBLOOM_ACCOUNT_KEY)" };
  return { ok: true, ownerAccountId: owner };
}

/** The announced prices for models this provider registered (others are ignored). */
export function announcedPrices(frame: Pick<RegisterFrame, "prices">, models: ReadonlyMap<string, ProviderModel>): Map<string, { inputPerMillion: number; outputPerMillion: number }> {
  const out = new Map<string, { inputPerMillion: number; outputPerMillion: number }>();
  for (const p of frame.prices ?? []) {
    if (models.has(p.model)) out.set(p.model, { inputPerMillion: p.input_per_million, outputPerMillion: p.output_per_million });
  }
  return out;
}
