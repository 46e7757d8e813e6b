import type { OpsHandles } from "../api/index.js";
import { DrainGate, type DrainReason } from "../drain/index.js";
import { CoordinatorMetrics } from "../metrics/index.js";
import type { ProviderRegistry } from "../registry/index.js";
import type { JobOutcomes } from "../relay/index.js";
import { ReputationTracker } from "../reputation/index.js";
import { errorFields, type Logger } from "../log/index.js";
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
}

export interface OpsDeps {
  registry: ProviderRegistry;
  clock: Clock;
  logger: Logger;
  relayInFlight: () => number;
  /** Disputes stored against a provider (receipts); seeds its reputation when it connects. */
  disputesAgainst: (providerId: string) => Promise<number>;
}

/** Drain state, metrics and reputation for one coordinator; `beginShutdown` is bound later. */
export function createOps(deps: OpsDeps): Ops & { bindShutdown(fn: (r: DrainReason) => void): void } {
  const { registry, clock, relayInFlight } = deps;
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
        deps.disputesAgainst(p.id).then(
          (n) => reputation.seedDisputes(p.id, n),
          (err: unknown) => deps.logger.warn("reading a provider's disputes failed", { provider_id: p.id, ...errorFields(err) }),
        );
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
