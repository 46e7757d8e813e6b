import { z } from "zod";
import { ApiKindSchema } from "./common.js";
import { SealedRequestSchema } from "../seal/index.js";
import { HardwareChallengeSchema } from "../attest/hardware-evidence.js";
import { LoadModelFrameSchema, UnloadModelFrameSchema, type LoadModelFrame, type UnloadModelFrame } from "./model-load-frames.js";

/** Frames the coordinator sends to a provider. */

export const RegisteredFrameSchema = z.object({
  type: z.literal("registered"),
  provider_id: z.string().min(1).max(128),
  protocol_version: z.number().int().positive(),
  heartbeat_interval_ms: z.number().int().positive(),
  trust_level: z.enum(["none", "self_signed", "hardware"]),
});
export type RegisteredFrame = z.infer<typeof RegisteredFrameSchema>;

/**
 * Sent after a register frame (and later for periodic re-checks): the provider must sign nonce +
 * timestamp + its encryption key with its identity key (attest/challenge.ts) before any request
 * is routed to it.
 */
export const AttestationChallengeFrameSchema = z.object({
  type: z.literal("attestation_challenge"),
  nonce: z.string().min(1).max(128),
  timestamp: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** When the register frame carried hardware evidence that needs a round trip (TPM credential activation). */
  hardware_challenge: HardwareChallengeSchema.optional(),
});
export type AttestationChallengeFrame = z.infer<typeof AttestationChallengeFrameSchema>;

/** A sealed request plus the routing metadata the coordinator needs in clear. */
export const InferenceRequestFrameSchema = z.object({
  type: z.literal("inference_request"),
  request_id: z.string().min(1).max(128),
  api: ApiKindSchema,
  model: z.string().min(1).max(256),
  stream: z.boolean(),
  max_tokens: z.number().int().positive(),
  input_tokens_estimate: z.number().int().nonnegative(),
  sealed: SealedRequestSchema,
});
export type InferenceRequestFrame = z.infer<typeof InferenceRequestFrameSchema>;

export const CancelFrameSchema = z.object({
  type: z.literal("cancel"),
  request_id: z.string().min(1).max(128),
  reason: z.string().max(256),
});
export type CancelFrame = z.infer<typeof CancelFrameSchema>;

/**
 * The answer to `update_models`. Accepted: `models` are the ones now served (those the attestation
 * covers). Refused: the previous models stay in place, the connection stays open, `reason` says why.
 */
export const ModelsUpdatedFrameSchema = z.object({
  type: z.literal("models_updated"),
  accepted: z.boolean(),
  models: z.array(z.string().min(1).max(256)).max(16),
  reason: z.string().max(512).optional(),
});
export type ModelsUpdatedFrame = z.infer<typeof ModelsUpdatedFrameSchema>;

/**
 * One reason the coordinator is keeping this provider (or one of its models) from traffic right
 * now: "connected but gets no requests" must always have an answer the operator can read.
 * `name` is a stable gate id (e.g. `untrusted`, `challenge_stale`, `error_cooldown`,
 * `circuit_open`, `capacity_cooldown`, `template_failed`, `draining`, `version_too_old`);
 * `model` narrows it to one model; `until` (ms since epoch) says when it lifts, if known.
 */
export const ProviderGateSchema = z.object({
  name: z.string().min(1).max(64),
  model: z.string().min(1).max(256).optional(),
  until: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  detail: z.string().max(512),
});
export type ProviderGate = z.infer<typeof ProviderGateSchema>;

/**
 * The provider's standing as the coordinator sees it: sent when it changes (trust level, a gate
 * opening or closing) and in answer to heartbeats while any gate is closed. `routable` is false
 * when no request can reach the provider at all; `gates` lists every gate excluding it or a model.
 */
export const TrustStatusFrameSchema = z.object({
  type: z.literal("trust_status"),
  trust_level: z.enum(["none", "self_signed", "hardware"]),
  routable: z.boolean(),
  gates: z.array(ProviderGateSchema).max(64),
  reason: z.string().max(512).optional(),
});
export type TrustStatusFrame = z.infer<typeof TrustStatusFrameSchema>;

export const coordinatorFrameSchemas = {
  registered: RegisteredFrameSchema,
  attestation_challenge: AttestationChallengeFrameSchema,
  inference_request: InferenceRequestFrameSchema,
  cancel: CancelFrameSchema,
  models_updated: ModelsUpdatedFrameSchema,
  trust_status: TrustStatusFrameSchema,
  load_model: LoadModelFrameSchema,
  unload_model: UnloadModelFrameSchema,
} as const;

export type CoordinatorFrame =
  | RegisteredFrame
  | AttestationChallengeFrame
  | InferenceRequestFrame
  | CancelFrame
  | ModelsUpdatedFrame
  | TrustStatusFrame
  | LoadModelFrame
  | UnloadModelFrame;
