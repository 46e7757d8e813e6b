import type { ProviderModel } from "@darkbloom/protocol";
import type { ChatEngine, HostedEngine } from "../serve/types.js";

/** A model this provider offers (registers and attests), loaded or not. */
export interface OfferedModel {
  id: string;
  path: string;
  /** As registered: from the GGUF header scan, stable whether loaded or not. */
  description: ProviderModel;
  /** KV cache estimate at the configured parallelism (the gate counts at least 1 GiB). */
  kvBytes: number;
  /** Loaded at start (else on demand or on the coordinator's `load_model`). */
  preload: boolean;
}

/** A request's hold on a loaded engine: the model is never evicted or unloaded while held. */
export type ModelLease =
  | { ok: true; engine: ChatEngine; release(): void }
  | { ok: false; code: "model_not_found" | "overloaded"; message: string; retryable: boolean };

/** Where the serving layer gets an engine for a request (loading the model first when it is cold). */
export interface ModelSource {
  offers(model: string): boolean;
  acquire(model: string): Promise<ModelLease>;
}

export type EngineLoader = (model: OfferedModel) => Promise<HostedEngine>;
