import type { ProviderModel, SlotCapacity } from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/index.js";

/** An in-process provider for registry, admission and relay tests (never connected to anything). Test-only. */
export function testProvider(id: string, model: string, contextLength = 4096): LiveProvider {
  const m: ProviderModel = { id: model, size_bytes: 1, quantization: "q", context_length: contextLength, template_render_ok: true };
  return {
    id,
    kid: `kid-${id}`,
    publicKey: new Uint8Array(32),
    attestation: {} as LiveProvider["attestation"],
    trustLevel: "self_signed",
    version: "0",
    models: new Map([[model, m]]),
    link: { send: () => true, close: () => {} },
    connectedAt: 0,
    lastSeenAt: 0,
    slots: new Map(),
    inFlight: 0,
  };
}

/** A heartbeat slot: `running` sequences of `maxConcurrency`, token budget used/max. */
export function slot(model: string, s: Partial<SlotCapacity> = {}): SlotCapacity {
  return {
    model,
    state: "idle",
    num_running: 0,
    num_waiting: 0,
    max_concurrency: 1,
    observed_decode_tps: 10,
    observed_prefill_tps: 100,
    active_token_budget_used: 0,
    active_token_budget_max: 4096,
    queued_token_budget: 0,
    ...s,
  };
}
