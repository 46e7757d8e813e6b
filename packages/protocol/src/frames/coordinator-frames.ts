import { z } from "zod";
import { ApiKindSchema } from "./common.js";
import { SealedRequestSchema } from "../seal/index.js";

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

export const coordinatorFrameSchemas = {
  registered: RegisteredFrameSchema,
  attestation_challenge: AttestationChallengeFrameSchema,
  inference_request: InferenceRequestFrameSchema,
  cancel: CancelFrameSchema,
  models_updated: ModelsUpdatedFrameSchema,
} as const;

export type CoordinatorFrame = RegisteredFrame | AttestationChallengeFrame | InferenceRequestFrame | CancelFrame | ModelsUpdatedFrame;
