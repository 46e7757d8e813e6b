import { MIN_TRUST_HEADER, TrustLevelSchema, meetsTrust, stricterTrust, type TrustLevel } from "@darkbloom/protocol";
import { HttpError, badRequest, type RequestContext } from "../../http/index.js";
import type { LiveProvider, ProviderRegistry } from "../../registry/index.js";

/**
 * The trust level a request needs: the operator's DARKBLOOM_MIN_TRUST, raised (never lowered) by
 * the request's `X-Darkbloom-Min-Trust` header. A value that is not a trust level is a 400.
 */
export function requestMinTrust(ctx: RequestContext, operatorMin: TrustLevel): TrustLevel {
  const h = ctx.req.headers[MIN_TRUST_HEADER.toLowerCase()];
  if (h === undefined) return operatorMin;
  const raw = (Array.isArray(h) ? h[0] : h)?.trim().toLowerCase();
  const parsed = TrustLevelSchema.safeParse(raw);
  if (!parsed.success) throw badRequest(`${MIN_TRUST_HEADER} must be one of self_signed, hardware.`, null, "invalid_min_trust");
  return stricterTrust(parsed.data, operatorMin);
}

/** `accept` narrowed to providers at `min` or above (unchanged when `min` is the operator's own bar). */
export function withMinTrust(accept: ((p: LiveProvider) => boolean) | undefined, min: TrustLevel, operatorMin: TrustLevel): ((p: LiveProvider) => boolean) | undefined {
  if (min === operatorMin) return accept;
  return (p) => meetsTrust(p.trustLevel, min) && (accept?.(p) ?? true);
}

/**
 * The 503 when no provider meets the trust bar but some serve the model below it: the message names
 * the level and where it came from, so "no provider" is never a mystery.
 */
export function trustShortfall(registry: ProviderRegistry, model: string, min: TrustLevel, operatorMin: TrustLevel): HttpError | undefined {
  let below = 0;
  for (const p of registry.all()) if (p.models.has(model) && !meetsTrust(p.trustLevel, min)) below++;
  if (below === 0) return undefined;
  const source = min === operatorMin ? "this coordinator's minimum (DARKBLOOM_MIN_TRUST)" : `the request's ${MIN_TRUST_HEADER}`;
  return new HttpError(
    503,
    `No provider for ${model} meets trust level ${min}, ${source}; ${below} provider(s) serve it below that level.`,
    "no_trusted_provider",
    null,
    { "retry-after": "2" },
  );
}
