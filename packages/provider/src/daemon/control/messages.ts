import { z } from "zod";

/** The control socket's wire format: one JSON line in, one JSON line out, per connection. */

export const ControlRequestSchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("status") }),
  z.strictObject({ op: z.literal("switch"), model_path: z.string().min(1).max(4096), model_id: z.string().regex(/^[\w.:/-]{1,256}$/) }),
]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

export const ConnectionStateSchema = z.enum(["starting", "connecting", "connected", "disconnected", "paused", "draining", "switching", "refused"]);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

export const ModelStatusSchema = z.object({
  id: z.string(),
  path: z.string(),
  state: z.string(),
  running: z.number().int().nonnegative(),
  waiting: z.number().int().nonnegative(),
  max_concurrency: z.number().int().positive(),
  price: z.object({ input_per_million: z.number(), output_per_million: z.number() }).optional(),
});

export const ProviderStatusSchema = z.object({
  pid: z.number().int(),
  version: z.string(),
  coordinator: z.string(),
  connection: ConnectionStateSchema,
  provider_id: z.string().nullable(),
  trust_level: z.string().nullable(),
  linked: z.boolean(),
  /** What the linked account has earned (µUSD), when linked and the coordinator answered. */
  earnings: z.object({ provider_micros: z.number().int().nonnegative(), referral_micros: z.number().int().nonnegative() }).nullable().optional(),
  /** This device's earnings when linked by `darkbloom login` (account/earnings.ts), when the coordinator answered. */
  device_earnings: z
    .object({
      account_id: z.string(),
      balance_micros: z.number().int(),
      device_id: z.string(),
      earned_micros: z.number().int().nonnegative(),
      requests: z.number().int().nonnegative(),
      days: z.array(z.object({ day: z.string(), earned_micros: z.number().int().nonnegative(), requests: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() })),
    })
    .nullable()
    .optional(),
  /** Outside every availability window: unregistered until the next one opens. */
  paused_by_schedule: z.boolean(),
  models: z.array(ModelStatusSchema),
  requests_served: z.number().int().nonnegative(),
  tokens_generated: z.number().int().nonnegative(),
  started_at: z.string(),
  uptime_s: z.number().nonnegative(),
});
export type ProviderStatus = z.infer<typeof ProviderStatusSchema>;

export const ControlResponseSchema = z.union([
  z.object({ ok: z.literal(true), status: ProviderStatusSchema }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type ControlResponse = z.infer<typeof ControlResponseSchema>;

export const MAX_CONTROL_LINE = 64 * 1024;
