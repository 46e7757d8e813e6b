import { z } from "zod";
import { isBase64 } from "../seal/bytes.js";
import { ReceiptMismatchReasonSchema } from "./check.js";
import { SignedReceiptSchema } from "./receipt.js";

/** Largest `POST /v1/disputes` body the coordinator reads. */
export const DISPUTE_MAX_BODY_BYTES = 8 * 1024;

/**
 * `POST /v1/disputes` (API key): a consumer contests a provider's signed receipt. `identity_key`
 * is the serving provider's Ed25519 key from its attestation (the coordinator checks it is the
 * provider that served the request and that it signed the receipt). Idempotent per request_id.
 */
export const DisputeRequestSchema = z.object({
  receipt: SignedReceiptSchema,
  identity_key: z.string().max(64).refine(isBase64, "expected standard base64"),
  reason: ReceiptMismatchReasonSchema,
  claimed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  allowed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});
export type DisputeRequest = z.infer<typeof DisputeRequestSchema>;

/** The coordinator's answer (201 when filed, 200 when this request was already disputed). */
export const DisputeResponseSchema = z.object({
  object: z.literal("dispute"),
  request_id: z.string(),
  provider_id: z.string(),
  reason: ReceiptMismatchReasonSchema,
  created_at: z.number().int(),
});
export type DisputeResponse = z.infer<typeof DisputeResponseSchema>;
