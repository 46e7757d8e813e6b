import { z } from "zod";

export const SlotStateSchema = z.enum(["running", "idle", "crashed", "reloading", "idle_shutdown"]);
export type SlotState = z.infer<typeof SlotStateSchema>;

const count = z.number().int().nonnegative();
const rate = z.number().nonnegative();

/** One loaded model's live capacity, reported in every heartbeat. */
export const SlotCapacitySchema = z.object({
  model: z.string().min(1),
  state: SlotStateSchema,
  num_running: count,
  num_waiting: count,
  max_concurrency: z.number().int().positive(),
  observed_decode_tps: rate,
  observed_prefill_tps: rate,
  active_token_budget_used: count,
  active_token_budget_max: count,
  queued_token_budget: count,
});
export type SlotCapacity = z.infer<typeof SlotCapacitySchema>;

export const UsageSchema = z.object({
  prompt_tokens: count,
  completion_tokens: count,
});
export type Usage = z.infer<typeof UsageSchema>;

export const FinishReasonSchema = z.enum(["stop", "length", "abort", "error"]);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

/** Which consumer API the request came from; the provider renders its wire format. */
export const ApiKindSchema = z.enum(["chat.completions", "completions", "responses", "messages", "messages.count_tokens"]);
export type ApiKind = z.infer<typeof ApiKindSchema>;

export const ErrorCodeSchema = z.enum([
  "bad_request",
  "model_not_found",
  "overloaded",
  "decrypt_failed",
  "engine_error",
  "cancelled",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;
