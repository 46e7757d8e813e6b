import { z } from "zod";
import { ErrorCodeSchema, FinishReasonSchema, SlotCapacitySchema, UsageSchema } from "./common.js";
import { AttestationSchema } from "../attest/index.js";
import { HardwareEvidenceSchema } from "../attest/hardware-evidence.js";
import { SealedChunkSchema, SealedReceiptSchema } from "../seal/index.js";
import { SignedReceiptSchema } from "../receipt/receipt.js";
import { LoadModelStatusFrameSchema, type LoadModelStatusFrame } from "./model-load-frames.js";

/** Frames a provider sends to the coordinator. */

export const ProviderModelSchema = z.object({
  id: z.string().min(1).max(256),
  size_bytes: z.number().int().nonnegative(),
  quantization: z.string().max(64),
  context_length: z.number().int().positive(),
  weight_hash: z.string().max(128).optional(),
  template_render_ok: z.boolean(),
});
export type ProviderModel = z.infer<typeof ProviderModelSchema>;

export const HardwareSchema = z.object({
  platform: z.string().max(64),
  arch: z.string().max(64),
  cpu: z.string().max(256),
  cores: z.number().int().positive(),
  memory_gb: z.number().nonnegative(),
  backend: z.string().max(64),
});
export type Hardware = z.infer<typeof HardwareSchema>;

/** A provider's own price for one model, integer micro-USD per 1M tokens (it wins over its owner's and the platform's). */
export const ModelPriceSchema = z.object({
  model: z.string().min(1).max(256),
  input_per_million: z.number().int().nonnegative().max(1e12),
  output_per_million: z.number().int().nonnegative().max(1e12),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const RegisterFrameSchema = z.object({
  type: z.literal("register"),
  protocol_version: z.number().int().positive(),
  provider_version: z.string().max(64),
  /** Self-signed: binds the Ed25519 identity key to this process's X25519 sealing key. */
  attestation: AttestationSchema,
  hardware: HardwareSchema,
  models: z.array(ProviderModelSchema).min(1).max(16),
  benchmark_tps: z.number().nonnegative().optional(),
  /**
   * Links the provider to its owner's account: an API key of that account (kept for compatibility;
   * `darkbloom login`'s account token, sent as the upgrade's bearer, is the provider credential).
   */
  account_token: z.string().max(512).optional(),
  prices: z.array(ModelPriceSchema).max(16).optional(),
  /** Hardware-backed evidence over `attestationSubject(attestation)` (earns trust level `hardware`). */
  hardware_evidence: HardwareEvidenceSchema.optional(),
});
export type RegisterFrame = z.infer<typeof RegisterFrameSchema>;

export const HeartbeatFrameSchema = z.object({
  type: z.literal("heartbeat"),
  status: z.enum(["idle", "serving", "draining"]),
  active_models: z.array(z.string()).max(16),
  system: z
    .object({
      cpu_load: z.number().nonnegative().optional(),
      memory_used_gb: z.number().nonnegative().optional(),
      memory_pressure: z.number().min(0).max(1).optional(),
    })
    .optional(),
  /** One slot per loaded (or unloaded, `idle_shutdown`) model; a cold offered model has none (model-load-frames.ts). */
  backend_capacity: z.object({ slots: z.array(SlotCapacitySchema).max(16) }),
  /** The largest model (GiB of weights) the provider's memory gate would admit now. */
  free_for_load_gb: z.number().nonnegative().optional(),
});
export type HeartbeatFrame = z.infer<typeof HeartbeatFrameSchema>;

const requestId = z.string().min(1).max(128);

export const InferenceAcceptedFrameSchema = z.object({
  type: z.literal("inference_accepted"),
  request_id: requestId,
});
export type InferenceAcceptedFrame = z.infer<typeof InferenceAcceptedFrameSchema>;

/**
 * One sealed piece of the response stream; `chunk` is opaque to the coordinator in e2e mode.
 * `tokens` is the running count of completion tokens delivered up to and including this chunk (a
 * number in clear, never content), so a stream cut short is billed for exactly what it delivered.
 */
export const InferenceChunkFrameSchema = z.object({
  type: z.literal("inference_chunk"),
  request_id: requestId,
  tokens: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  chunk: SealedChunkSchema,
});
export type InferenceChunkFrame = z.infer<typeof InferenceChunkFrameSchema>;

export const InferenceCompleteFrameSchema = z.object({
  type: z.literal("inference_complete"),
  request_id: requestId,
  usage: UsageSchema,
  finish_reason: FinishReasonSchema,
  response_hash: z.string().max(128).optional(),
  /** The provider's signed usage receipt (receipt/): the coordinator verifies it and bills from it. */
  receipt: SignedReceiptSchema.optional(),
  /** The same receipt sealed under the response key, relayed untouched to an e2e consumer. */
  sealed_receipt: SealedReceiptSchema.optional(),
});
export type InferenceCompleteFrame = z.infer<typeof InferenceCompleteFrameSchema>;

export const InferenceErrorFrameSchema = z.object({
  type: z.literal("inference_error"),
  request_id: requestId,
  code: ErrorCodeSchema,
  message: z.string().max(2048),
  retryable: z.boolean(),
  usage: UsageSchema.optional(),
  /** `bad_request` only: the OpenAI `param` the refusal concerns (e.g. `messages.0.content.1`). */
  param: z.string().min(1).max(128).optional(),
});
export type InferenceErrorFrame = z.infer<typeof InferenceErrorFrameSchema>;

/**
 * Answer to an attestation_challenge: the identity key's signature over it (attest/challenge.ts).
 * `attestation` (optional; sent by current providers at every periodic challenge) is freshly
 * signed by the same identity over the same sealing key with the challenge's nonce and the
 * provider's own clock as timestamp; the coordinator publishes it in place of the older one.
 */
export const AttestationResponseFrameSchema = z.object({
  type: z.literal("attestation_response"),
  nonce: z.string().min(1).max(128),
  timestamp: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  signature: z.string().min(1).max(128),
  attestation: AttestationSchema.optional(),
  /** Hardware-backed evidence over `challengeSubject(challenge, encryption_key)`, with the answer to any `hardware_challenge`. */
  hardware_evidence: HardwareEvidenceSchema.optional(),
});
export type AttestationResponseFrame = z.infer<typeof AttestationResponseFrameSchema>;

/**
 * Changes the served models on a registered connection (`darkbloom switch`), without reconnecting.
 * Same model bounds as `register`; `attestation` is freshly signed by the same identity key over the
 * same encryption key (same kid) as the registered one, and lists the new models. Answered by
 * `models_updated`. Additive within protocol version 2: provider and coordinator ship together, so
 * no version bump (a coordinator without this frame would close the connection as a bad frame).
 */
export const UpdateModelsFrameSchema = z.object({
  type: z.literal("update_models"),
  attestation: AttestationSchema,
  models: z.array(ProviderModelSchema).min(1).max(16),
  prices: z.array(ModelPriceSchema).max(16).optional(),
});
export type UpdateModelsFrame = z.infer<typeof UpdateModelsFrameSchema>;

export const providerFrameSchemas = {
  register: RegisterFrameSchema,
  attestation_response: AttestationResponseFrameSchema,
  update_models: UpdateModelsFrameSchema,
  heartbeat: HeartbeatFrameSchema,
  inference_accepted: InferenceAcceptedFrameSchema,
  inference_chunk: InferenceChunkFrameSchema,
  inference_complete: InferenceCompleteFrameSchema,
  inference_error: InferenceErrorFrameSchema,
  load_model_status: LoadModelStatusFrameSchema,
} as const;

export type ProviderFrame =
  | RegisterFrame
  | AttestationResponseFrame
  | UpdateModelsFrame
  | HeartbeatFrame
  | InferenceAcceptedFrame
  | InferenceChunkFrame
  | InferenceCompleteFrame
  | InferenceErrorFrame
  | LoadModelStatusFrame;
