import type { HeartbeatFrame } from "@darkbloom/protocol";
import { slotOf } from "../hosting/slots.js";
import type { HostedEngine } from "../serve/types.js";
import type { Hosting } from "./model-hosting.js";

/**
 * The heartbeat: the host's slots (loaded, loading, unloaded; none for cold models) and its
 * free_for_load_gb, plus a live slot for each engine served outside it (during a switch).
 * `active_models` are the models loaded now.
 */
export function buildHeartbeat(engines: Iterable<HostedEngine>, draining: boolean, hosting?: Hosting): HeartbeatFrame {
  const slots = hosting ? hosting.slots() : [];
  for (const e of engines) if (!hosting?.offers(e.modelId)) slots.push(slotOf(e.capacity()));
  const busy = slots.some((s) => s.num_running + s.num_waiting > 0);
  const mem = process.memoryUsage();
  return {
    type: "heartbeat",
    status: draining ? "draining" : busy ? "serving" : "idle",
    active_models: slots.filter((s) => s.state === "idle" || s.state === "running").map((s) => s.model),
    system: { memory_used_gb: mem.rss / 2 ** 30 },
    backend_capacity: { slots: slots.slice(0, 16) },
    ...(hosting && { free_for_load_gb: hosting.freeForLoadGb() }),
  };
}
