import { z } from "zod";

const count = z.number().int().nonnegative();

/** One model's entry in `GET /v1/models/capacity`. */
export const ModelCapacitySchema = z.object({
  id: z.string(),
  /** At least one routable provider has the model loaded (warm or running). */
  ready: z.boolean(),
  /** A request sent now would be admitted or queued (not refused with 429/503). */
  can_accept: z.boolean(),
  routable_providers: count,
  /** Routable providers whose slot is loaded and idle. */
  warm_providers: count,
  /** Routable providers whose slot is loaded and running requests. */
  running_providers: count,
  /** Routable providers that would have to load the model first (no slot yet, or idle_shutdown). */
  cold_providers: count,
  active_requests: count,
  queued_requests: count,
  queue_limit: count,
  /** Sum of the routable providers' observed decode speeds (tokens/s). */
  aggregate_tps: z.number().nonnegative(),
  /** Expected time to first token for a short prompt sent now; null while unknown. */
  estimated_ttft_ms: count.nullable(),
  token_budget_remaining: count,
  token_budget_total: count,
});
export type ModelCapacity = z.infer<typeof ModelCapacitySchema>;

export const ModelCapacityListSchema = z.object({
  object: z.literal("list"),
  data: z.array(ModelCapacitySchema),
});
export type ModelCapacityList = z.infer<typeof ModelCapacityListSchema>;
