import { meetsTrust, type ProviderGate, type TrustLevel } from "@darkbloom/protocol";
import type { ProviderHealth } from "./health/index.js";
import { UNAVAILABLE_SLOT_STATES } from "./select.js";
import type { LiveProvider } from "./types.js";

/** What the gates read besides the provider itself. */
export interface GateInputs {
  health: ProviderHealth | undefined;
  /** The periodic attestation challenge is answered and fresh (trust work plugs its state in). */
  challengeFresh: boolean;
  /** The last heartbeat said `draining` (the provider is handing back its work). */
  draining: boolean;
  /** The operator's minimum trust level (DARKBLOOM_MIN_TRUST); absent: none. */
  minTrust?: TrustLevel;
  /** Why the trust level last changed (src/trust), for the `untrusted` gate's detail. */
  trustReason?: string;
}

/**
 * Every named gate keeping `p`, or one of its models, from traffic (SPEC eligibility: trusted,
 * challenge fresh, template OK, not in cooldown; plus slot health and provider drain). Gate names
 * are stable: operators and the provider CLI read them.
 */
export function computeGates(p: LiveProvider, inputs: GateInputs): ProviderGate[] {
  const gates: ProviderGate[] = [];
  if (p.trustLevel === "none") gates.push({ name: "untrusted", detail: inputs.trustReason ?? "the provider has not passed (or has failed) its attestation challenges" });
  else if (inputs.minTrust && !meetsTrust(p.trustLevel, inputs.minTrust)) {
    gates.push({ name: "below_min_trust", detail: `trust level ${p.trustLevel} is below this coordinator's minimum ${inputs.minTrust} (DARKBLOOM_MIN_TRUST)` });
  }
  if (!inputs.challengeFresh) gates.push({ name: "challenge_stale", detail: "the last attestation challenge is unanswered or too old" });
  if (inputs.draining) gates.push({ name: "draining", detail: "the provider reported that it is draining" });
  for (const m of p.models.values()) {
    if (!m.template_render_ok) gates.push({ name: "template_failed", model: m.id, detail: "the model's chat template failed the provider's render self-check" });
    const slot = p.slots.get(m.id);
    if (slot && UNAVAILABLE_SLOT_STATES.has(slot.state)) gates.push({ name: "slot_unavailable", model: m.id, detail: `the model's slot is ${slot.state}` });
  }
  if (inputs.health) for (const g of inputs.health.gates()) gates.push({ ...g });
  return gates;
}

/** Does any gate in `gates` keep `model` from traffic (a provider-wide gate, or one for that model)? */
export function gatesModel(gates: readonly ProviderGate[], model: string): boolean {
  return gates.some((g) => g.model === undefined || g.model === model);
}

/** Can any request reach `p` (some model served with no gate on it)? */
export function isRoutable(p: LiveProvider, gates: readonly ProviderGate[]): boolean {
  for (const model of p.models.keys()) if (!gatesModel(gates, model)) return true;
  return false;
}

/** A stable fingerprint of a gate set: a change means a new `trust_status` is due. */
export function gateSignature(trustLevel: string, gates: readonly ProviderGate[]): string {
  const parts = gates.map((g) => `${g.name}|${g.model ?? ""}|${g.until ?? ""}`).sort();
  return `${trustLevel};${parts.join(";")}`;
}
