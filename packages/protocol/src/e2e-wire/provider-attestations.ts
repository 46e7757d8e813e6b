import { z } from "zod";
import { AttestationSchema } from "../attest/attestation.js";
import { TrustLevelSchema } from "../attest/trust-level.js";

/** One routable provider as `GET /v1/providers/attestation` (public) lists it. */
export const ProviderAttestationEntrySchema = z.object({
  provider_id: z.string().min(1).max(128),
  trust_level: TrustLevelSchema,
  /** The provider's software version (from its register frame). */
  provider_version: z.string().max(64),
  /** The latest attestation: re-signed at every passed challenge. */
  attestation: AttestationSchema,
  /** When its last challenge was passed (ms since epoch). */
  last_challenge_at: z.number().int().nonnegative(),
  /** Challenges failed in a row (3 make it untrusted). */
  consecutive_challenge_failures: z.number().int().nonnegative(),
  models: z.array(z.string().min(1).max(256)).max(64),
});
export type ProviderAttestationEntry = z.infer<typeof ProviderAttestationEntrySchema>;

export const ProviderAttestationsResponseSchema = z.object({
  object: z.literal("list"),
  data: z.array(ProviderAttestationEntrySchema),
});
export type ProviderAttestationsResponse = z.infer<typeof ProviderAttestationsResponseSchema>;
