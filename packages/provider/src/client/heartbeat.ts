import type { HeartbeatFrame } from "@darkbloom/protocol";
import type { HostedEngine } from "../serve/types.js";

/** The heartbeat for these engines: one slot per model with its live capacity, and the link's status. */
export function buildHeartbeat(engines: Iterable<HostedEngine>, draining: boolean): HeartbeatFrame {
  const slots = [...engines].map((e) => {
    const c = e.capacity();
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
  });
  const busy = slots.some((s) => s.num_running + s.num_waiting > 0);
  const mem = process.memoryUsage();
  return {
    type: "heartbeat",
    status: draining ? "draining" : busy ? "serving" : "idle",
    active_models: slots.map((s) => s.model),
    system: { memory_used_gb: mem.rss / 2 ** 30 },
    backend_capacity: { slots },
  };
}
