import type { Attestation, CoordinatorFrame, Hardware, HeartbeatFrame, ProviderGate, ProviderModel, SlotCapacity } from "@darkbloom/protocol";
import type { CompletionSample, Outcome } from "./health/index.js";
import type { SpeedEstimate } from "./speed/index.js";

/** A provider's announced price for one model (micro-USD per 1M tokens). */
export interface AnnouncedPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** A checked `update_models`: what replaces a registered provider's models (registry.updateModels). */
export interface ModelUpdate {
  models: ReadonlyMap<string, ProviderModel>;
  /** Signed by the registered identity over the registered sealing key (same kid); lists `models`. */
  attestation: Attestation;
  prices: ReadonlyMap<string, AnnouncedPrice>;
}

export type TrustLevel = "none" | "self_signed" | "hardware";

/** Control frames (cancel, …) always leave before data frames (inference_request). */
export type Lane = "control" | "data";

/** How the coordinator reaches one connected provider (a WebSocket today, a NATS hop later). */
export interface ProviderLink {
  /** Queues a frame; false when the link is already closed. */
  send(frame: CoordinatorFrame, lane: Lane): boolean;
  close(code: number, reason: string): void;
}

/**
 * A connected provider. `trustLevel` is `none` until the registration proof (a signed challenge)
 * passes; only then is it `self_signed` and added to the registry, and every routing path skips
 * `none`. Other mutable fields are changed only through the registry:
 * readers are candidate selection, /v1/models, /v1/providers/keys, /health and the relay;
 * cleanup happens in `remove` when the socket closes or the provider is evicted.
 */
export interface LiveProvider {
  readonly id: string;
  readonly kid: string;
  readonly publicKey: Uint8Array;
  /** Replaced only through `registry.updateModels` (as are `models` and `prices`). */
  readonly attestation: Attestation;
  trustLevel: TrustLevel;
  readonly version: string;
  readonly models: ReadonlyMap<string, ProviderModel>;
  readonly link: ProviderLink;
  readonly connectedAt: number;
  lastSeenAt: number;
  /** Latest heartbeat capacity per model, capped by the registry (registry/capacity.ts). */
  slots: ReadonlyMap<string, SlotCapacity>;
  /** Requests the coordinator has dispatched here and not yet seen finish. */
  inFlight: number;
  /**
   * Protocol or billing faults seen from this connection (usage claimed over a cap, a running
   * token count that went backwards or past max_tokens). Counted by the relay; routing may weigh it.
   */
  faults?: number;
  /** The owner account linked by `register.account_token`; null or absent: unlinked. */
  readonly ownerAccountId?: string | null;
  /** Prices the provider announced in `register` (micro-USD per 1M tokens), per model. */
  readonly prices?: ReadonlyMap<string, AnnouncedPrice>;
  /** `register.hardware` (a claim: it only ever lowers the concurrency cap, registry/capacity.ts). */
  readonly hardware?: Hardware;
  /** `register.benchmark_tps`: decode tok/s from `darkbloom benchmark`, the last speed fallback. */
  readonly benchmarkTps?: number;
}

export interface PickOptions {
  /** Providers already tried for this request. */
  exclude?: ReadonlySet<string>;
  /** Extra gate (e.g. e2e: the provider's kid is among the sealed recipients). */
  accept?: (p: LiveProvider) => boolean;
  /** Prompt tokens expected (the cost function's prefill time); default 0. */
  inputTokens?: number;
  /** The request's max_tokens (the cost function's decode time); default 256. */
  maxTokens?: number;
}

/** Where a provider stands for routing: the `trust_status` frame's content and /v1/account/providers. */
export interface ProviderStatus {
  trustLevel: TrustLevel;
  /** False when no request can reach the provider at all (a provider-wide gate, or every model gated). */
  routable: boolean;
  gates: ProviderGate[];
}

export interface ModelInfo {
  id: string;
  /** When a provider first offered it (ms since epoch). */
  firstSeenAt: number;
}

/** Live provider state; a second implementation (shared across replicas) can satisfy this. */
export interface ProviderRegistry {
  readonly size: number;
  add(provider: LiveProvider): void;
  /** Removes it only when `provider` is still the registered instance for its id. */
  remove(provider: LiveProvider): boolean;
  get(id: string): LiveProvider | undefined;
  all(): Iterable<LiveProvider>;
  findByKid(kid: string): LiveProvider | undefined;
  touch(id: string, now: number): void;
  applyHeartbeat(id: string, frame: HeartbeatFrame, now: number): void;
  /**
   * Replaces a registered provider's models, attestation and prices (`update_models`, checked by
   * the socket layer). New requests for a removed model are no longer routed here; requests
   * already dispatched finish normally (the relay holds the instance). False when `provider` is
   * no longer the registered instance for its id.
   */
  updateModels(provider: LiveProvider, update: ModelUpdate): boolean;
  /**
   * Sets the trust level routing sees (src/trust: `none` after failed challenges, the earned level
   * again after a pass) and sends `trust_status` if that changed the gates; `reason` becomes the
   * `untrusted` gate's detail. False when `provider` is no longer the registered instance.
   */
  setTrustLevel(provider: LiveProvider, level: TrustLevel, reason?: string): boolean;
  /**
   * Publishes a re-signed attestation (a passed periodic challenge; same identity and sealing key,
   * checked by src/trust). False when `provider` is no longer the registered instance.
   */
  replaceAttestation(provider: LiveProvider, attestation: Attestation): boolean;
  /** Models served by at least one routable (proven, trust != none) provider. */
  servedModels(): ModelInfo[];
  /**
   * True when a proven provider served the model within the memory window (24 h; distinguishes
   * 503 from 404). Bounded: the least recently served models are forgotten first.
   */
  knowsModel(model: string): boolean;
  /** Connected providers that may take a request for `model`, unordered. */
  candidates(model: string, opts?: PickOptions): LiveProvider[];
  /**
   * The candidate the selection strategy prefers (default: lowest SPEC cost, ties within 3 s by
   * queue depth then randomly; routing/).
   */
  pick(model: string, opts?: PickOptions): LiveProvider | undefined;
  /** Estimated ms until this provider finishes a request of this shape (the cost function). */
  estimateMs(provider: LiveProvider, model: string, opts?: Pick<PickOptions, "inputTokens" | "maxTokens">): number;
  /** Decode/prefill tok/s the router assumes for this provider and model, and where they come from. */
  speedOf(provider: LiveProvider, model: string): SpeedEstimate;
  /** A request finished on this provider: feeds its EWMA speeds (relay, on inference_complete). */
  recordCompletion(provider: LiveProvider, model: string, sample: CompletionSample): void;
  /** success / error / capacity_rejected: feeds cooldowns and the circuit breaker (relay). */
  recordOutcome(provider: LiveProvider, model: string, outcome: Outcome): void;
  /** A speculative backup was dispatched for `model` (the admission layer). */
  recordBackupDispatched(model: string): void;
  /** …and it produced content first. */
  recordBackupWon(model: string): void;
  /** False once enough backups were sent for `model` and they rarely won (then send none). */
  backupsWorthwhile(model: string): boolean;
  /** Every named gate keeping this provider (or one of its models) from traffic right now. */
  gatesFor(provider: LiveProvider): ProviderGate[];
  statusOf(provider: LiveProvider): ProviderStatus;
  /** Sends `trust_status` now (right after `registered`). */
  announceStatus(provider: LiveProvider): void;
  /** Sends `trust_status` if the gate set changed since the last one (e.g. after a trust change). */
  refreshStatus(provider: LiveProvider): void;
  /** Counts a dispatch against this provider instance (not its id: ids outlive reconnects). */
  acquire(provider: LiveProvider): void;
  release(provider: LiveProvider): void;
  /** Providers silent since before `cutoff`. */
  silentSince(cutoff: number): LiveProvider[];
}
