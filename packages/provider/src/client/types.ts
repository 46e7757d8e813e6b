import type { Attestation, EncryptionKeyPair, ProviderModel, RegisterFrame } from "@darkbloom/protocol";
import type { HostedEngine } from "../serve/types.js";
import type { HardwareAttester } from "../tpm/index.js";
import type { Hosting } from "./model-hosting.js";

export interface ProviderClientOptions {
  url: string;
  /** Engines served directly (tests, `darkbloom switch` in progress); `hosting` wins for the models it offers. */
  engines: ReadonlyMap<string, HostedEngine>;
  /** The model host: offered models, load/unload, slots and free_for_load_gb in heartbeats. */
  hosting?: Hosting;
  keyPair: EncryptionKeyPair;
  /** The Ed25519 identity secret: signs the coordinator's registration challenge. */
  identitySecret: Uint8Array;
  /** Adds hardware evidence (TPM quote, credential activation) to each attestation_response. */
  hardware?: HardwareAttester;
  /** Provider enrollment token, sent as `Authorization: Bearer …` on the upgrade. */
  token?: string;
  /** Builds the register frame (fresh attestation nonce and timestamp per connection). */
  register(): Promise<RegisterFrame>;
  /**
   * Re-signs the attestation for a challenge nonce over the models served right now; sent with
   * every challenge answer so the coordinator always publishes a fresh one. Absent: answers carry none.
   */
  attest?(nonce: string, models: ProviderModel[]): Promise<Attestation>;
  log(event: string, fields: Record<string, unknown>): void;
  heartbeatIntervalMs?: number;
  /** Delay before reconnect attempt n (default: exponential backoff with jitter). */
  reconnectDelayMs?: (attempt: number) => number;
}

/** The link as `darkbloom status` reports it. */
export type LinkState = "idle" | "connecting" | "connected" | "disconnected" | "refused";

export interface DrainResult {
  /** In-flight requests that finished within the grace period. */
  finished: number;
  /** Requests still running when the grace period ended (aborted by the caller's stop). */
  unfinished: number;
}

/** The coordinator's answer to `updateModels` (a timeout or a closed link counts as a refusal). */
export type ModelUpdateResult = { accepted: true; models: string[] } | { accepted: false; reason: string };

/** How long `updateModels` waits for the coordinator's `models_updated` by default. */
export const MODEL_UPDATE_TIMEOUT_MS = 15_000;
