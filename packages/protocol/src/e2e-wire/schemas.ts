import { z } from "zod";
import { SealedRequestSchema } from "../seal/envelope.js";
import { AttestationSchema } from "../attest/attestation.js";
import { isBase64 } from "../seal/bytes.js";

/** Header naming the privacy mode of a request/response. */
export const PRIVACY_HEADER = "X-Darkbloom-Privacy";
export const PRIVACY_E2E = "e2e";
export const PRIVACY_COORDINATOR_SEALED = "coordinator-sealed";
export type PrivacyMode = typeof PRIVACY_E2E | typeof PRIVACY_COORDINATOR_SEALED;

/**
 * Body of an e2e `POST /v1/chat/completions` (with `X-Darkbloom-Privacy: e2e`): only routing
 * metadata in clear, the OpenAI request itself sealed.
 */
export const SealedApiRequestSchema = z.object({
  model: z.string().min(1).max(256),
  stream: z.boolean(),
  max_tokens: z.number().int().positive().optional(),
  input_tokens_estimate: z.number().int().nonnegative(),
  sealed: SealedRequestSchema,
});
export type SealedApiRequest = z.infer<typeof SealedApiRequestSchema>;

/** One attested sealing key, as served by `GET /v1/providers/keys?model=`. */
export const ProviderKeySchema = z.object({
  provider_id: z.string().min(1).max(128),
  kid: z.string().min(1).max(64),
  public_key: z.string().refine(isBase64, "expected standard base64"),
  trust_level: z.enum(["none", "self_signed", "hardware"]),
  attestation: AttestationSchema,
});
export type ProviderKey = z.infer<typeof ProviderKeySchema>;

export const ProviderKeysResponseSchema = z.object({
  model: z.string(),
  keys: z.array(ProviderKeySchema),
});
export type ProviderKeysResponse = z.infer<typeof ProviderKeysResponseSchema>;

/** Payload of an `event: error` in a sealed SSE stream (OpenAI error shape). */
export const E2eErrorEventSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.union([z.string(), z.number(), z.null()]).optional(),
    param: z.union([z.string(), z.null()]).optional(),
  }),
});
export type E2eErrorEvent = z.infer<typeof E2eErrorEventSchema>;
export interface E2eErrorInfo {
  message: string;
  type: string;
  code?: string | number | null;
  param?: string | null;
}
