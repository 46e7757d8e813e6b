import { z } from "zod";

/**
 * Model hosting frames (warm pool). A provider offers every model it has on disk (register /
 * update_models) but keeps at most a few loaded (resident, with their own context). The
 * coordinator asks it to load or unload one; the provider answers with `load_model_status`.
 *
 * Slot semantics in heartbeats (read by routing): a model that is offered but has never been
 * loaded in this process has NO slot in `backend_capacity.slots` ("cold": a request for it loads
 * it first); a model that was loaded and has been unloaded (by `unload_model` or LRU eviction)
 * reports a slot with state `idle_shutdown` (nothing running, budgets used 0, the budget max and
 * observed speeds it had when loaded); a loaded model reports `idle` or `running`; a model being
 * loaded reports `reloading`.
 */

const modelId = z.string().min(1).max(256);

/** coordinator → provider: load this offered model (answered by load_model_status). */
export const LoadModelFrameSchema = z.object({
  type: z.literal("load_model"),
  model: modelId,
});
export type LoadModelFrame = z.infer<typeof LoadModelFrameSchema>;

/** coordinator → provider: unload this model once nothing runs on it (answered by load_model_status `unloaded`). */
export const UnloadModelFrameSchema = z.object({
  type: z.literal("unload_model"),
  model: modelId,
});
export type UnloadModelFrame = z.infer<typeof UnloadModelFrameSchema>;

export const LoadStateSchema = z.enum(["loading", "loaded", "failed", "unloaded"]);
export type LoadState = z.infer<typeof LoadStateSchema>;

/**
 * provider → coordinator: progress of a load (`loading` → `loaded` | `failed`) or an unload
 * (`unloaded`; `failed` when it cannot unload now, e.g. sequences still running). Sent for loads the
 * coordinator asked for and for loads the provider started itself (a request for a cold model).
 * `reason` (failed): one line for the operator, e.g. the memory gate's arithmetic.
 * `free_for_load_gb`: the provider's room after this step (as in heartbeats).
 */
export const LoadModelStatusFrameSchema = z.object({
  type: z.literal("load_model_status"),
  model: modelId,
  state: LoadStateSchema,
  reason: z.string().max(512).optional(),
  free_for_load_gb: z.number().nonnegative().optional(),
});
export type LoadModelStatusFrame = z.infer<typeof LoadModelStatusFrameSchema>;
