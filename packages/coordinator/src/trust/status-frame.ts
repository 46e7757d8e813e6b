import { meetsTrust, type ProviderGate, type TrustLevel, type TrustStatusFrame } from "@darkbloom/protocol";

/** Stable gate names this module closes (protocol ProviderGate.name). */
export const GATE_UNTRUSTED = "untrusted";
export const GATE_BELOW_MIN_TRUST = "below_min_trust";

/** The trust gates closed for a provider at `level` on a coordinator requiring `minTrust`. */
export function trustGates(level: TrustLevel, minTrust: TrustLevel, reason?: string): ProviderGate[] {
  if (level === "none") return [{ name: GATE_UNTRUSTED, detail: (reason ?? "attestation challenges failed").slice(0, 512) }];
  if (!meetsTrust(level, minTrust)) return [{ name: GATE_BELOW_MIN_TRUST, detail: `trust level ${level} is below this coordinator's minimum ${minTrust} (DARKBLOOM_MIN_TRUST)` }];
  return [];
}

/** The `trust_status` frame telling a provider its trust level and whether it gets traffic. */
export function trustStatusFrame(level: TrustLevel, minTrust: TrustLevel, reason?: string): TrustStatusFrame {
  const gates = trustGates(level, minTrust, reason);
  return { type: "trust_status", trust_level: level, routable: gates.length === 0, gates, ...(reason !== undefined && { reason: reason.slice(0, 512) }) };
}
