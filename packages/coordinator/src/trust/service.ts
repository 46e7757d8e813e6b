import { randomBytes } from "node:crypto";
import { CHALLENGE_NONCE_BYTES, meetsTrust, type AttestationResponseFrame, type TrustLevel } from "@darkbloom/protocol";
import type { Logger } from "../log/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import { Challenger, type ChallengeOutcome } from "./challenger.js";
import type { ProviderTrust } from "./provider-trust.js";
import { freshnessWindowMs, type TrustSettings } from "./settings.js";
import { trustStatusFrame } from "./status-frame.js";

export interface TrustServiceDeps {
  registry: ProviderRegistry;
  clock: Clock;
  logger: Logger;
  settings: TrustSettings;
  newNonce?: () => string;
  /** Told of every challenge outcome (reputation, metrics); absent: counted here only. */
  onChallenge?: (providerId: string, passed: boolean) => void;
}

/** What the socket layer holds for one registered connection. */
export interface ConnectionTrust {
  onResponse(frame: AttestationResponseFrame): void;
  stop(): void;
}

/**
 * Periodic challenges for every registered provider and the routing gate built on them: a provider
 * is eligible while its trust level meets DARKBLOOM_MIN_TRUST and its last passed challenge is
 * recent. State is per connection, in memory, and gone on disconnect (bounded by the registry):
 * a restarted coordinator challenges every provider afresh at registration, so nothing is stored.
 */
export class TrustService {
  private readonly byProvider = new Map<LiveProvider, Challenger>();
  private readonly freshMs: number;

  constructor(private readonly deps: TrustServiceDeps) {
    this.freshMs = freshnessWindowMs(deps.settings);
  }

  get minTrust(): TrustSettings["minTrust"] {
    return this.deps.settings.minTrust;
  }

  /** The registry's trust gate: min trust level and challenge freshness. */
  readonly eligible = (p: LiveProvider): boolean => {
    if (!meetsTrust(p.trustLevel, this.deps.settings.minTrust)) return false;
    const c = this.byProvider.get(p);
    // A provider added without the socket layer (tests, tools) has no challenge schedule.
    return !c || c.trust.lastPassAt >= this.deps.clock.now() - this.freshMs;
  };

  /** Starts challenging a provider that has just registered (after its `registered` frame). */
  attach(p: LiveProvider): ConnectionTrust {
    const { clock, logger, settings } = this.deps;
    const log = logger.child({ provider_id: p.id, kid: p.kid });
    const challenger = new Challenger(
      {
        clock,
        settings,
        newNonce: this.deps.newNonce ?? (() => randomBytes(CHALLENGE_NONCE_BYTES).toString("base64")),
        send: (frame) => p.link.send(frame, "control"),
        current: () => ({ attestation: p.attestation, models: [...p.models.keys()] }),
        onOutcome: (outcome) => this.onOutcome(p, outcome, log),
      },
      p.trustLevel,
    );
    this.byProvider.set(p, challenger);
    challenger.start();
    if (!meetsTrust(p.trustLevel, settings.minTrust)) p.link.send(trustStatusFrame(p.trustLevel, settings.minTrust), "control");
    return {
      onResponse: (frame) => {
        challenger.onResponse(frame).catch((err: unknown) => log.error("challenge check failed", { error: String(err) }));
      },
      stop: () => {
        challenger.stop();
        if (this.byProvider.get(p) === challenger) this.byProvider.delete(p);
      },
    };
  }

  /**
   * A hardware verifier (or a release check) re-assessed what this provider has earned, e.g. on a
   * re-signed attestation: routing, the provider's `trust_status` and later restores follow it.
   */
  setEarned(p: LiveProvider, level: TrustLevel): void {
    const challenger = this.byProvider.get(p);
    if (!challenger) return;
    const change = challenger.trust.setEarned(level);
    if (change.changed && this.deps.registry.setTrustLevel(p, change.level)) {
      p.link.send(trustStatusFrame(change.level, this.deps.settings.minTrust, change.reason), "control");
    }
  }

  /** The challenge standing of a connected provider (undefined when not attached). */
  standing(p: LiveProvider): ProviderTrust | undefined {
    return this.byProvider.get(p)?.trust;
  }

  private onOutcome(p: LiveProvider, outcome: ChallengeOutcome, log: Logger): void {
    const { registry, settings } = this.deps;
    this.deps.onChallenge?.(p.id, outcome.passed);
    if (outcome.passed) {
      if (outcome.attestation) registry.replaceAttestation(p, outcome.attestation);
      log.debug("attestation challenge passed", { republished: outcome.attestation !== undefined });
    } else {
      log.warn("attestation challenge failed", { reason: outcome.reason, consecutive_failures: this.standing(p)?.consecutiveFailures ?? 0 });
    }
    const { change } = outcome;
    if (!change.changed) return;
    if (!registry.setTrustLevel(p, change.level)) return;
    log.warn("provider trust level changed", { trust_level: change.level, reason: change.reason ?? "" });
    p.link.send(trustStatusFrame(change.level, settings.minTrust, change.reason), "control");
  }
}
