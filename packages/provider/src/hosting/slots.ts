import type { SlotCapacity } from "@darkbloom/protocol";
import type { EngineCapacity } from "../engine/index.js";

/** A loaded model's live slot, as heartbeats report it. */
export function slotOf(c: EngineCapacity): SlotCapacity {
  return {
    model: c.model,
    state: c.state,
    num_running: c.numRunning,
    num_waiting: c.numWaiting,
    max_concurrency: c.maxConcurrency,
    observed_decode_tps: c.observedDecodeTps,
    observed_prefill_tps: c.observedPrefillTps,
    active_token_budget_used: c.activeTokenBudgetUsed,
    active_token_budget_max: c.activeTokenBudgetMax,
    queued_token_budget: c.queuedTokenBudget,
  };
}

/**
 * A model that is not serving right now: `reloading` while it loads, `idle_shutdown` once unloaded
 * (nothing running; the budget and speeds it had when loaded, so routing can price a reload).
 * Cold models (never loaded here) have no slot at all (protocol model-load-frames.ts).
 */
export function restingSlot(model: string, state: "reloading" | "idle_shutdown", last: SlotCapacity | undefined, fallback: { maxConcurrency: number; budgetMax: number }): SlotCapacity {
  return {
    model,
    state,
    num_running: 0,
    num_waiting: 0,
    max_concurrency: last?.max_concurrency ?? fallback.maxConcurrency,
    observed_decode_tps: last?.observed_decode_tps ?? 0,
    observed_prefill_tps: last?.observed_prefill_tps ?? 0,
    active_token_budget_used: 0,
    active_token_budget_max: last?.active_token_budget_max ?? fallback.budgetMax,
    queued_token_budget: 0,
  };
}
