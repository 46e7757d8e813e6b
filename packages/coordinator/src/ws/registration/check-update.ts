import { CLOSE_POLICY, type ProviderModel, type UpdateModelsFrame } from "@darkbloom/protocol";
import type { LiveProvider } from "../../registry/index.js";
import { checkAttestedModels, type CheckRegisterOptions, type Refusal } from "./check-register.js";
import { announcedPrices } from "./owner.js";

export interface AcceptedUpdate {
  ok: true;
  models: Map<string, ProviderModel>;
  prices: Map<string, { inputPerMillion: number; outputPerMillion: number }>;
}

/**
 * Checks an `update_models` frame from a registered connection: the register checks (fresh,
 * verifying attestation; model bounds; models covered by it), and the attestation must be signed
 * by this connection's identity key over this connection's sealing key — the registration proof
 * was made for that pair, so an update cannot swap in another identity or key.
 */
export async function checkUpdateModels(provider: LiveProvider, frame: UpdateModelsFrame, opts: CheckRegisterOptions): Promise<AcceptedUpdate | Refusal> {
  const att = frame.attestation;
  const reg = provider.attestation;
  if (att.identity_key !== reg.identity_key) return { ok: false, code: CLOSE_POLICY, reason: "update attestation is signed by another identity key" };
  if (att.kid !== provider.kid || att.encryption_key !== reg.encryption_key) {
    return { ok: false, code: CLOSE_POLICY, reason: "update attestation is for another encryption key (kid) than the registered one" };
  }
  const checked = await checkAttestedModels(att, frame.models, opts);
  if (!checked.ok) return checked;
  return { ok: true, models: checked.models, prices: announcedPrices(frame, checked.models) };
}
