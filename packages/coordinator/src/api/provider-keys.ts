import type { ProviderKeysResponse } from "@darkbloom/protocol";
import { encodeBase64 } from "@darkbloom/protocol";
import { HttpError, badRequest, sendJson, type Handler } from "../http/index.js";
import type { ApiDeps } from "./deps.js";
import { requestMinTrust, trustShortfall, withMinTrust } from "./inference/min-trust.js";
import { requireAuth } from "./require-auth.js";

/** GET /v1/providers/keys?model=: attested sealing keys of the providers that can serve it. */
export function providerKeysRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    await requireAuth(ctx, deps.store);
    const model = ctx.query.get("model");
    if (!model) throw badRequest("Query parameter `model` is required.", "model");
    ctx.logFields.model = model;
    // X-Darkbloom-Min-Trust narrows the keys offered as it narrows routing.
    const operatorMin = deps.trust.minTrust;
    const min = requestMinTrust(ctx, operatorMin);
    const accept = withMinTrust(undefined, min, operatorMin);
    const providers = deps.registry.candidates(model, accept ? { accept } : {});
    if (providers.length === 0) throw trustShortfall(deps.registry, model, min, operatorMin) ?? new HttpError(404, `No provider serves model ${model}.`, "model_not_found", "model");
    const body: ProviderKeysResponse = {
      model,
      keys: providers.map((p) => ({
        provider_id: p.id,
        kid: p.kid,
        public_key: encodeBase64(p.publicKey),
        trust_level: p.trustLevel,
        attestation: p.attestation,
      })),
    };
    sendJson(ctx.res, 200, body);
  };
}
