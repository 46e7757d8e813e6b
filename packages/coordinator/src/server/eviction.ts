import type { Logger } from "../log/index.js";
import type { ProviderRegistry } from "../registry/index.js";
import type { Clock, TimerHandle } from "../runtime/index.js";
import type { ProviderEvents } from "../ws/index.js";

/** Evicts providers silent for longer than `evictionMs`; their in-flight requests fail over. */
export function startEviction(
  registry: ProviderRegistry,
  events: ProviderEvents,
  clock: Clock,
  logger: Logger,
  evictionMs: number,
  checkEveryMs: number,
): () => void {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    for (const p of registry.silentSince(clock.now() - evictionMs)) {
      logger.warn("evicting silent provider", { provider_id: p.id, silent_ms: clock.now() - p.lastSeenAt });
      if (registry.remove(p)) events.onProviderGone(p);
      p.link.close(4002, "evicted: no heartbeat");
    }
    if (!stopped) timer = clock.setTimeout(tick, checkEveryMs);
  };
  timer = clock.setTimeout(tick, checkEveryMs);
  return () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
  };
}
