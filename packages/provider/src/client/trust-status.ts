import type { ProviderGate, TrustStatusFrame } from "@darkbloom/protocol";

/** The fields to log when a `trust_status` changes what the provider knew (undefined: nothing changed). */
export function trustStatusChange(
  prev: { trustLevel: string | undefined; routable: boolean; gates: readonly ProviderGate[] },
  frame: TrustStatusFrame,
): Record<string, unknown> | undefined {
  const changed = frame.trust_level !== prev.trustLevel || frame.routable !== prev.routable || JSON.stringify(frame.gates) !== JSON.stringify(prev.gates);
  if (!changed) return undefined;
  return {
    trust_level: frame.trust_level,
    routable: frame.routable,
    gates: frame.gates.map((g) => (g.model ? `${g.name}(${g.model})` : g.name)).join(",") || "none",
    ...(frame.reason && { reason: frame.reason }),
  };
}
