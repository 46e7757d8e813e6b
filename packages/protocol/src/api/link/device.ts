import { z } from "zod";
import { DeviceCodeProofSchema } from "../../attest/device-link.js";

/** Device login (RFC 8628) bodies: `darkbloom login` ↔ coordinator. */

/** `POST /v1/device/code`: the provider identity to link, proven by its signature. */
export const DeviceCodeRequestSchema = DeviceCodeProofSchema.extend({
  /** Shown on the approval page (e.g. the host name), at most 64 printable characters. */
  client_name: z.string().max(64).regex(/^[\x20-\x7e]*$/).optional(),
});
export type DeviceCodeRequest = z.infer<typeof DeviceCodeRequestSchema>;

/** RFC 8628 §3.2. */
export const DeviceCodeResponseSchema = z.object({
  device_code: z.string().min(1).max(256),
  user_code: z.string().min(1).max(32),
  verification_uri: z.string().min(1).max(2048),
  verification_uri_complete: z.string().min(1).max(2048),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive(),
});
export type DeviceCodeResponse = z.infer<typeof DeviceCodeResponseSchema>;

export const DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** RFC 8628 §3.4 (form-encoded per the RFC; JSON accepted). */
export const DeviceTokenRequestSchema = z.object({
  grant_type: z.literal(DEVICE_CODE_GRANT_TYPE),
  device_code: z.string().min(1).max(256),
});
export type DeviceTokenRequest = z.infer<typeof DeviceTokenRequestSchema>;

/** RFC 8628 §3.5: a successful answer (the provider's account token, shown once). */
export const DeviceTokenResponseSchema = z.object({
  access_token: z.string().min(1).max(256),
  token_type: z.literal("Bearer"),
  account_id: z.string().min(1).max(128),
  device_id: z.string().min(1).max(64),
});
export type DeviceTokenResponse = z.infer<typeof DeviceTokenResponseSchema>;

export const DEVICE_TOKEN_ERRORS = ["authorization_pending", "slow_down", "expired_token", "access_denied", "invalid_grant", "invalid_request", "unsupported_grant_type"] as const;
export type DeviceTokenErrorCode = (typeof DEVICE_TOKEN_ERRORS)[number];

/** RFC 6749 §5.2 error body. */
export const DeviceTokenErrorSchema = z.object({
  error: z.enum(DEVICE_TOKEN_ERRORS),
  error_description: z.string().max(512).optional(),
});
export type DeviceTokenError = z.infer<typeof DeviceTokenErrorSchema>;

/** `POST /v1/device/approve` and `/v1/device/deny` (a logged-in user). */
export const DeviceDecisionRequestSchema = z.object({
  user_code: z.string().min(1).max(32),
});
export type DeviceDecisionRequest = z.infer<typeof DeviceDecisionRequestSchema>;

/** Provider account tokens: `dbat-` and 64 lowercase hex (stored only as SHA-256). */
export const ACCOUNT_TOKEN_RE = /^dbat-[0-9a-f]{64}$/;
