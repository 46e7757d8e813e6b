import { z } from "zod";

/** `GET /v1/provider/earnings`: what an account's providers earned, per device and per day (UTC). */

export const EarningsDaySchema = z.object({
  /** `YYYY-MM-DD`, UTC. */
  day: z.string(),
  earned_micros: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});
export type EarningsDay = z.infer<typeof EarningsDaySchema>;

export const DeviceEarningsSchema = z.object({
  /** `prv_` + 16 hex: the provider identity (stable across restarts). */
  device_id: z.string(),
  /** The linked identity key (base64), when the device is linked to this account. */
  identity_key: z.string().nullable(),
  /** Unix seconds; null when the device is not (or no longer) linked. */
  linked_at: z.number().int().nullable(),
  earned_micros: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  days: z.array(EarningsDaySchema),
});
export type DeviceEarnings = z.infer<typeof DeviceEarningsSchema>;

export const ProviderEarningsSchema = z.object({
  object: z.literal("provider_earnings"),
  account_id: z.string(),
  /** The account's withdrawable provider earnings (ledger balance). */
  balance_micros: z.number().int(),
  /** Over the reported window. */
  earned_micros: z.number().int().nonnegative(),
  since_day: z.string(),
  devices: z.array(DeviceEarningsSchema),
});
export type ProviderEarnings = z.infer<typeof ProviderEarningsSchema>;
