import type { ProviderAttestationEntry, ProviderAttestationsResponse } from "@darkbloom/protocol";
import { sendJson, type Handler } from "../http/index.js";
import type { ApiDeps } from "./deps.js";

/** Most providers listed in one answer (the registry is bounded by connections; this bounds the body). */
const MAX_LISTED = 1_000;

/**
 * GET /v1/providers/attestation (public, no auth): every routable provider's latest attestation
 * (re-signed at each passed challenge), trust level, last challenge time and software version, so
 * anyone can check what the network's providers claim and when they last proved it.
 */
export function providerAttestationsRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const data: ProviderAttestationEntry[] = [];
    for (const p of deps.registry.all()) {
      if (data.length >= MAX_LISTED) break;
      if (p.trustLevel === "none" || !deps.trust.eligible(p)) continue;
      const standing = deps.trust.standing(p);
      data.push({
        provider_id: p.id,
        trust_level: p.trustLevel,
        provider_version: p.version,
        attestation: p.attestation,
        last_challenge_at: standing?.lastPassAt ?? p.connectedAt,
        consecutive_challenge_failures: standing?.consecutiveFailures ?? 0,
        models: [...p.models.keys()],
      });
    }
    data.sort((a, b) => (a.provider_id < b.provider_id ? -1 : a.provider_id > b.provider_id ? 1 : 0));
    const body: ProviderAttestationsResponse = { object: "list", data };
    sendJson(ctx.res, 200, body);
  };
}
