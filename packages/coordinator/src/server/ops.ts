import type { OpsHandles } from "../api/index.js";
import { DrainGate, type DrainReason } from "../drain/index.js";
import { CoordinatorMetrics } from "../metrics/index.js";
import type { ProviderRegistry } from "../registry/index.js";
import type { JobOutcomes } from "../relay/index.js";
import { ReputationTracker } from "../reputation/index.js";
import type { Clock } from "../runtime/index.js";
import type { ProviderEvents } from "../ws/index.js";

export interface Ops extends OpsHandles {
  /** Job results from the relay: reputation and metrics. */
  outcomes: JobOutcomes;
  /** Wraps the relay's provider events: connect/close feed reputation (uptime). */
  providerEvents(relay: ProviderEvents): ProviderEvents;
  /**
   * One attestation challenge verdict for a provider: reputation (pass rate) and metrics. The
   * periodic challenge loop calls this.
   */
  recordChallenge(providerId: string, passed: boolean): void;
  /** A dispute against one of the provider's receipts (reputation). */
  recordDispute(providerId: string): void;
}

/** Drain state, metrics and reputation for one coordinator; `beginShutdown` is bound later. */
export function createOps(registry: ProviderRegistry, clock: Clock, relayInFlight: () => number): Ops & { bindShutdown(fn: (r: DrainReason) => void): void } {
  const drain = new DrainGate();
  const reputation = new ReputationTracker({ now: clock.now });
  const metrics = new CoordinatorMetrics({ registry, relayInFlight, draining: () => drain.draining });
  let shutdown: ((r: DrainReason) => void) | undefined;
  return {
    drain,
    metrics,
    reputation,
    beginShutdown: (reason) => shutdown?.(reason),
    bindShutdown: (fn) => void (shutdown = fn),
    outcomes: {
      onJobResult(provider, result) {
        reputation.recordJob(provider.id, { ok: result.ok, ttftMs: result.ttftMs });
        metrics.onJobResult(provider, result);
      },
    },
    providerEvents: (relay) => ({
      onProviderFrame: (p, frame) => relay.onProviderFrame(p, frame),
      onProviderGone: (p) => {
        reputation.recordDisconnected(p.id);
        relay.onProviderGone(p);
      },
      onProviderAdmitted: (p) => {
        reputation.recordConnected(p.id);
        relay.onProviderAdmitted?.(p);
      },
    }),
    recordChallenge(providerId, passed) {
      reputation.recordChallenge(providerId, passed);
      metrics.recordChallenge(passed);
    },
    recordDispute: (providerId) => reputation.recordDispute(providerId),
  };
}
