import { FALLBACK_PRICE, worstCaseMicros, type Price } from "./pricing.js";

/**
 * Which price a request pays. Pure: no I/O. Precedence, most specific first:
 * the serving provider's own announced price (from its `register` frame), else its owner
 * account's per-model price (`PUT /v1/pricing`), else the platform's per-model price
 * (`PUT /v1/admin/pricing`), else the fallback ($0.05 / $0.20 per 1M tokens).
 */

/** What pricing needs to know about a provider (a LiveProvider satisfies it). */
export interface PricedProvider {
  readonly id: string;
  /** The account that owns this provider (linked with `register.account_token`); null: unlinked. */
  readonly ownerAccountId?: string | null;
  /** Prices the provider announced in `register`, per model. */
  readonly prices?: ReadonlyMap<string, Price>;
}

/** Per-model prices set by owners and the platform. */
export interface PriceTable {
  platform(model: string): Price | undefined;
  owner(accountId: string, model: string): Price | undefined;
}

export type PriceSource = "provider" | "owner" | "platform" | "fallback";

export interface ResolvedPrice {
  price: Price;
  source: PriceSource;
}

/** The price `provider` charges for `model`; null provider: the platform's (or fallback) price. */
export function resolvePrice(table: PriceTable, model: string, provider: PricedProvider | null | undefined): ResolvedPrice {
  const announced = provider?.prices?.get(model);
  if (announced) return { price: announced, source: "provider" };
  const owner = provider?.ownerAccountId;
  const owned = owner ? table.owner(owner, model) : undefined;
  if (owned) return { price: owned, source: "owner" };
  const platform = table.platform(model);
  if (platform) return { price: platform, source: "platform" };
  return { price: FALLBACK_PRICE, source: "fallback" };
}

/** A request to the consumer's own provider costs nothing. */
export function isSelfRouted(consumerAccountId: string, provider: PricedProvider | null | undefined): boolean {
  return !!provider?.ownerAccountId && provider.ownerAccountId === consumerAccountId;
}

export interface ReservationInput {
  consumerAccountId: string;
  model: string;
  /** The body's prompt-token cap. */
  promptTokens: number;
  /** Completion tokens to reserve for. */
  completionTokens: number;
  /** Providers the request may go to (the SDK sealed it to several before one is chosen). */
  candidates: readonly PricedProvider[];
}

/**
 * The hold for a request: the worst case at the highest price among its candidates, since any of
 * them may serve it. Own providers cost nothing; when every candidate is the consumer's own the
 * hold is 0. With no candidates known, the platform price is assumed.
 */
export function reservationMicros(table: PriceTable, input: ReservationInput): number {
  const worst = (p: PricedProvider | null) => worstCaseMicros(resolvePrice(table, input.model, p).price, input.promptTokens, input.completionTokens);
  if (input.candidates.length === 0) return worst(null);
  let max = 0;
  for (const c of input.candidates) {
    if (isSelfRouted(input.consumerAccountId, c)) continue;
    max = Math.max(max, worst(c));
  }
  return max;
}

/**
 * Completion tokens to reserve for: the request's max_tokens when it gave one; otherwise at most
 * what the model's context leaves after the input (never more than the default reserve, at least 1).
 */
export function reserveCompletionTokens(maxTokens: number, explicit: boolean, contextLength: number | undefined, inputEstimate: number): number {
  if (explicit || contextLength === undefined) return maxTokens;
  return Math.max(1, Math.min(maxTokens, contextLength - inputEstimate));
}

/** A candidate as routing sees it: priced, and with its models' context lengths. */
export interface PricedCandidate extends PricedProvider {
  readonly models: ReadonlyMap<string, { readonly context_length: number }>;
}

export interface RequestReservation {
  consumerAccountId: string;
  model: string;
  /** The body's prompt-token cap (reserved in full). */
  promptTokenCap: number;
  /** The coordinator's prompt estimate (what the context must also hold). */
  promptEstimate: number;
  /** max_tokens as sent to the provider (the default reserve when the client gave none). */
  maxTokens: number;
  maxTokensExplicit: boolean;
  candidates: readonly PricedCandidate[];
}

/**
 * The hold for one request: the highest worst case among its candidates, for the completion
 * tokens the request can produce (see `reserveCompletionTokens`; the largest context among the
 * candidates bounds it).
 */
export function reservationFor(table: PriceTable, r: RequestReservation): { amountMicros: number; completionTokens: number } {
  let context: number | undefined;
  for (const c of r.candidates) {
    const len = c.models.get(r.model)?.context_length;
    if (len !== undefined) context = Math.max(context ?? 0, len);
  }
  const completionTokens = reserveCompletionTokens(r.maxTokens, r.maxTokensExplicit, context, r.promptEstimate);
  const amountMicros = reservationMicros(table, {
    consumerAccountId: r.consumerAccountId,
    model: r.model,
    promptTokens: r.promptTokenCap,
    completionTokens,
    candidates: r.candidates,
  });
  return { amountMicros, completionTokens };
}
