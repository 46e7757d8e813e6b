import { randomBytes } from "node:crypto";
import { CHALLENGE_NONCE_BYTES, meetsTrust, type AttestationResponseFrame, type TrustLevel } from "@darkbloom/protocol";
import type { Logger } from "../log/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import { Challenger, type ChallengeOutcome } from "./challenger.js";
import type { ProviderTrust, TrustChange } from "./provider-trust.js";
import { freshnessWindowMs, type TrustSettings } from "./settings.js";

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
 * Periodic challenges for every registered provider. Outcomes reach routing through the registry:
 * `setTrustLevel` (`none` after `strikes` failures in a row, the earned level after a pass; the
 * registry's gates and `trust_status` frames follow) and `challengeFresh` (the registry's
 * `challenge_stale` gate). State is per connection, in memory, and gone on disconnect (bounded by
 * the registry): a restarted coordinator challenges every provider afresh at registration, so
 * nothing is stored.
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

  /** The registry's `challengeFresh` predicate: a challenge (or the registration proof) passed recently. */
  readonly challengeFresh = (p: LiveProvider): boolean => {
    const c = this.byProvider.get(p);
    // A provider added without the socket layer (tests, tools) has no challenge schedule.
    return !c || c.trust.lastPassAt >= this.deps.clock.now() - this.freshMs;
  };

  /** Routable as far as trust goes: not `none`, at least DARKBLOOM_MIN_TRUST, challenge fresh. */
  readonly eligible = (p: LiveProvider): boolean => p.trustLevel !== "none" && meetsTrust(p.trustLevel, this.deps.settings.minTrust) && this.challengeFresh(p);

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
    if (challenger) this.apply(p, challenger.trust.setEarned(level), this.deps.logger.child({ provider_id: p.id }));
  }

  /** The challenge standing of a connected provider (undefined when not attached). */
  standing(p: LiveProvider): ProviderTrust | undefined {
    return this.byProvider.get(p)?.trust;
  }

  private onOutcome(p: LiveProvider, outcome: ChallengeOutcome, log: Logger): void {
    this.deps.onChallenge?.(p.id, outcome.passed);
    if (outcome.passed) {
      if (outcome.attestation) this.deps.registry.replaceAttestation(p, outcome.attestation);
      log.debug("attestation challenge passed", { republished: outcome.attestation !== undefined });
    } else {
      log.warn("attestation challenge failed", { reason: outcome.reason, consecutive_failures: this.standing(p)?.consecutiveFailures ?? 0 });
    }
    this.apply(p, outcome.change, log);
  }

  private apply(p: LiveProvider, change: TrustChange, log: Logger): void {
    if (!change.changed) return;
    if (!this.deps.registry.setTrustLevel(p, change.level, change.reason)) return;
    log.warn("provider trust level changed", { trust_level: change.level, reason: change.reason ?? "" });
  }
}
