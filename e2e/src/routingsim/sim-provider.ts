import type { LiveProvider } from "@darkbloom/coordinator";
import type { HeartbeatFrame, ProviderModel } from "@darkbloom/protocol";
import type { SimProviderSpec } from "./types.js";

/** Each other sequence in a batch slows a sequence's decoding by this share (the machines' truth). */
export const BATCH_SLOWDOWN = 0.08;
/** Network and framing on each hop, ms. */
export const NETWORK_MS = 15;

/** One attempt of one request on one provider. */
export interface Attempt {
  readonly provider: SimProvider;
  readonly live: LiveProvider;
  readonly model: string;
  /** inputTokens + maxTokens: the coordinator's pending token budget for it. */
  readonly tokens: number;
  readonly start: number;
  alive: boolean;
}

/** A synthetic machine: builds its LiveProvider, heartbeats, and keeps slot-time accounting. */
export class SimProvider {
  live: LiveProvider | undefined;
  readonly running = new Set<Attempt>();
  /** The coordinator's pending token budget here (inputs + max_tokens in flight). */
  pendingTokens = 0;
  busySlotMs = 0;
  presentMs = 0;
  private presentSince = 0;
  private observedDecode = 0;
  private observedPrefill = 0;

  constructor(readonly spec: SimProviderSpec) {}

  connect(now: number): LiveProvider {
    const models = new Map<string, ProviderModel>(
      this.spec.models.map((id) => [id, { id, size_bytes: 1, quantization: "q4_k_m", context_length: this.spec.contextPerSlot, template_render_ok: true }]),
    );
    this.presentSince = now;
    this.live = {
      id: this.spec.id,
      kid: `kid-${this.spec.id}`,
      publicKey: new Uint8Array(32),
      attestation: {} as LiveProvider["attestation"],
      trustLevel: "self_signed",
      version: "sim",
      models,
      link: { send: () => true, close: () => {} },
      connectedAt: now,
      lastSeenAt: now,
      slots: new Map(),
      inFlight: 0,
      ownerAccountId: null,
      hardware: { platform: "sim", arch: "sim", cpu: "sim", cores: 8, memory_gb: this.spec.memoryGb, backend: "metal" },
      benchmarkTps: this.spec.decodeTps,
    };
    return this.live;
  }

  disconnect(now: number): void {
    this.presentMs += now - this.presentSince;
    this.live = undefined;
  }

  /** Slot time and presence up to `now` (call once at the end). */
  close(now: number): void {
    if (this.live) this.disconnect(now);
  }

  /** Real per-sequence decode speed with `running` sequences in the batch. */
  decodeTpsAt(running: number): number {
    return this.spec.decodeTps / (1 + BATCH_SLOWDOWN * Math.max(0, running - 1));
  }

  prefillMs(inputTokens: number, running: number): number {
    return ((inputTokens * 1000) / this.spec.prefillTps) * (1 + BATCH_SLOWDOWN * Math.max(0, running - 1));
  }

  /** What the machine measured itself (the engine's EWMA), reported in heartbeats. */
  observe(decodeTps: number, prefillTps: number): void {
    this.observedDecode = this.observedDecode === 0 ? decodeTps : 0.9 * this.observedDecode + 0.1 * decodeTps;
    this.observedPrefill = this.observedPrefill === 0 ? prefillTps : 0.7 * this.observedPrefill + 0.3 * prefillTps;
  }

  heartbeat(): HeartbeatFrame {
    const slots = this.spec.models.map((model) => {
      const running = [...this.running].filter((a) => a.model === model);
      return {
        model,
        state: running.length > 0 ? ("running" as const) : ("idle" as const),
        num_running: running.length,
        num_waiting: 0,
        max_concurrency: this.spec.slots,
        observed_decode_tps: Math.round(this.observedDecode * 10) / 10,
        observed_prefill_tps: Math.round(this.observedPrefill * 10) / 10,
        active_token_budget_used: running.reduce((n, a) => n + a.tokens, 0),
        active_token_budget_max: this.spec.slots * this.spec.contextPerSlot,
        queued_token_budget: 0,
      };
    });
    return { type: "heartbeat", status: this.running.size > 0 ? "serving" : "idle", active_models: this.spec.models, backend_capacity: { slots } };
  }
}
