import type { TrustStatusFrame } from "@darkbloom/protocol";
import { gateSignature } from "./gates.js";
import type { ProviderState } from "./provider-state.js";
import type { LiveProvider, ProviderStatus } from "./types.js";

/** The trust_status frame's gate list bound (protocol schema). */
const MAX_GATES = 64;

/**
 * When to send: `always` (right after `registered`), `change` (the gate set or trust level differs
 * from the last frame sent), `heartbeat` (a change, or any gate closed: every heartbeat is then
 * answered, so an operator watching the provider always sees why it gets no traffic).
 */
export type PublishWhen = "always" | "change" | "heartbeat";

/** Sends `trust_status` frames on the provider's control lane. */
export class StatusPublisher {
  constructor(private readonly statusOf: (p: LiveProvider) => ProviderStatus) {}

  publish(p: LiveProvider, state: ProviderState, when: PublishWhen): void {
    const status = this.statusOf(p);
    const signature = gateSignature(status.trustLevel, status.gates);
    const changed = signature !== state.lastStatus;
    if (when === "change" && !changed) return;
    if (when === "heartbeat" && !changed && status.gates.length === 0) return;
    state.lastStatus = signature;
    p.link.send(trustStatusFrame(status), "control");
  }
}

export function trustStatusFrame(status: ProviderStatus): TrustStatusFrame {
  const gates = status.gates.slice(0, MAX_GATES).map((g) => ({ ...g, detail: g.detail.slice(0, 512) }));
  const names = [...new Set(status.gates.map((g) => g.name))].join(", ");
  const reason = !status.routable ? `no request can reach this provider: ${names}` : gates.length > 0 ? `some models are gated: ${names}` : undefined;
  return { type: "trust_status", trust_level: status.trustLevel, routable: status.routable, gates, ...(reason !== undefined && { reason: reason.slice(0, 512) }) };
}
