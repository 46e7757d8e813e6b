import type { Attestation, AttestationChallengeFrame, AttestationResponseFrame, TrustLevel } from "@darkbloom/protocol";
import type { Clock, TimerHandle } from "../runtime/index.js";
import { ChallengeBook } from "./challenge-book.js";
import { checkAnswer } from "./check-answer.js";
import { ProviderTrust, type TrustChange } from "./provider-trust.js";
import type { TrustSettings } from "./settings.js";

export type ChallengeOutcome =
  | { passed: true; attestation?: Attestation; change: TrustChange }
  | { passed: false; reason: string; change: TrustChange };

export interface ChallengerDeps {
  clock: Clock;
  settings: Pick<TrustSettings, "intervalMs" | "timeoutMs" | "maxSkewMs" | "strikes">;
  /** A fresh random nonce (base64) per challenge. */
  newNonce(): string;
  /** Queues the challenge frame (control lane). */
  send(frame: AttestationChallengeFrame): void;
  /** The provider's attestation and served models right now (they change with update_models). */
  current(): { attestation: Attestation; models: readonly string[] };
  onOutcome(outcome: ChallengeOutcome): void;
}

/**
 * The periodic challenges of one registered connection: every `intervalMs` a fresh nonce and the
 * coordinator's time; an answer must come within `timeoutMs`, echo them, be signed by the
 * registered identity over the current encryption key, and (with a re-signed attestation) be within
 * the clock-skew limit. Silence, a wrong signature, skew and replayed nonces count as failures;
 * ProviderTrust turns `strikes` of them in a row into trust level `none`. Timers come from `clock`.
 */
export class Challenger {
  readonly trust: ProviderTrust;
  private readonly book = new ChallengeBook();
  private next: TimerHandle | undefined;
  private deadline: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly deps: ChallengerDeps,
    earned: TrustLevel,
  ) {
    this.trust = new ProviderTrust(earned, deps.clock.now(), deps.settings.strikes);
  }

  /** Arms the first challenge one interval from now. */
  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.next) this.deps.clock.clearTimeout(this.next);
    if (this.deadline) this.deps.clock.clearTimeout(this.deadline);
    this.next = this.deadline = undefined;
  }

  /** An `attestation_response` on the registered connection. */
  async onResponse(frame: AttestationResponseFrame): Promise<void> {
    if (this.stopped) return;
    const taken = this.book.take(frame.nonce);
    if (!taken.ok) {
      // A late answer was counted when its challenge timed out; anything else fails now.
      if (!taken.counted) this.fail(taken.reason);
      return;
    }
    this.clearDeadline();
    const { attestation, models } = this.deps.current();
    const verdict = await checkAnswer(taken.challenge, frame, {
      current: attestation,
      servedModels: models,
      now: this.deps.clock.now(),
      maxSkewMs: this.deps.settings.maxSkewMs,
    });
    if (this.stopped) return;
    if (!verdict.ok) return this.fail(verdict.reason);
    const change = this.trust.pass(this.deps.clock.now());
    this.deps.onOutcome({ passed: true, change, ...(verdict.attestation && { attestation: verdict.attestation }) });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.next = this.deps.clock.setTimeout(() => this.fire(), this.deps.settings.intervalMs);
  }

  private fire(): void {
    this.next = undefined;
    if (this.stopped) return;
    // timeoutMs < intervalMs (config), so the previous challenge was settled; expire it anyway.
    if (this.book.expire()) this.fail("no answer before the next challenge");
    const challenge = { nonce: this.deps.newNonce(), timestamp: this.deps.clock.now() };
    this.book.issue(challenge);
    this.clearDeadline();
    this.deadline = this.deps.clock.setTimeout(() => {
      this.deadline = undefined;
      if (this.book.expire()) this.fail(`no answer within ${Math.round(this.deps.settings.timeoutMs / 1000)} s`);
    }, this.deps.settings.timeoutMs);
    this.deps.send({ type: "attestation_challenge", ...challenge });
    this.schedule();
  }

  private fail(reason: string): void {
    if (this.stopped) return;
    const change = this.trust.fail(this.deps.clock.now(), reason);
    this.deps.onOutcome({ passed: false, reason, change });
  }

  private clearDeadline(): void {
    if (this.deadline) this.deps.clock.clearTimeout(this.deadline);
    this.deadline = undefined;
  }
}
