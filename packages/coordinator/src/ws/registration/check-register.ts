import {
  CLOSE_POLICY,
  CLOSE_UNSUPPORTED_VERSION,
  PROTOCOL_VERSION,
  type Attestation,
  type ProviderModel,
  type RegisterFrame,
  type VerifyAttestationOptions,
} from "@darkbloom/protocol";
import { MAX_MODELS_PER_PROVIDER, modelIdProblem } from "../../registry/index.js";
import { versionRefusal } from "./version.js";

/** How far a register attestation's timestamp may be from the coordinator's clock (either way). */
export const ATTESTATION_MAX_AGE_MS = 5 * 60 * 1000;

export interface Refusal {
  ok: false;
  code: number;
  reason: string;
}

export interface AcceptedRegister {
  ok: true;
  frame: RegisterFrame;
  /** The registered models the attestation covers. */
  models: Map<string, ProviderModel>;
}

export interface CheckRegisterOptions {
  now: number;
  maxAgeMs: number;
  verifyAttestation(att: Attestation, opts: VerifyAttestationOptions): Promise<boolean>;
}

const refuse = (reason: string, code = CLOSE_POLICY): Refusal => ({ ok: false, code, reason });

/**
 * Everything about a register frame that can be checked before the proof of possession: version,
 * attestation freshness and signature, model bounds. Passing it earns a challenge, not routing.
 */
export async function checkRegister(frame: RegisterFrame, opts: CheckRegisterOptions): Promise<AcceptedRegister | Refusal> {
  if (frame.protocol_version !== PROTOCOL_VERSION) return refuse(versionRefusal(frame.protocol_version), CLOSE_UNSUPPORTED_VERSION);
  const checked = await checkAttestedModels(frame.attestation, frame.models, opts);
  return checked.ok ? { ok: true, frame, models: checked.models } : checked;
}

/**
 * The checks `register` and `update_models` share: the attestation is fresh and verifies, the
 * model list is within bounds, and at least one model is covered by the attestation (only those
 * are kept).
 */
export async function checkAttestedModels(
  att: Attestation,
  frameModels: readonly ProviderModel[],
  opts: CheckRegisterOptions,
): Promise<{ ok: true; models: Map<string, ProviderModel> } | Refusal> {
  const skewMs = opts.now - att.timestamp;
  if (Math.abs(skewMs) > opts.maxAgeMs) {
    const direction = skewMs > 0 ? "old" : "in the future";
    return refuse(`attestation timestamp is ${Math.round(Math.abs(skewMs) / 1000)} s ${direction} (limit ${opts.maxAgeMs / 1000} s): check the provider clock`);
  }
  if (!(await opts.verifyAttestation(att, { maxAgeMs: opts.maxAgeMs, now: opts.now }))) return refuse("attestation did not verify");
  if (frameModels.length > MAX_MODELS_PER_PROVIDER) return refuse(`too many models (${frameModels.length}; at most ${MAX_MODELS_PER_PROVIDER} per provider)`);
  for (const m of frameModels) {
    const problem = modelIdProblem(m.id);
    if (problem) return refuse(`model id ${JSON.stringify(m.id.slice(0, 32))} ${problem}`);
  }
  const attested = new Set(att.models.map((m) => m.id));
  const models = new Map(frameModels.filter((m) => attested.has(m.id)).map((m) => [m.id, m]));
  if (models.size === 0) return refuse("none of the registered models is covered by the attestation");
  return { ok: true, models };
}
