import type { TrustLevel } from "@darkbloom/protocol";

/** What a challenge outcome did to a provider's trust level. */
export interface TrustChange {
  changed: boolean;
  level: TrustLevel;
  /** Why, when the level fell to `none` or came back. */
  reason?: string;
}

/**
 * One connected provider's standing from challenges (pure; times passed in): the level it earned at
 * registration (self_signed, or hardware when a verifier vouched), and `none` while the last
 * `strikes` challenges in a row failed. A passed challenge restores the earned level.
 * Lives as long as the connection: nothing here survives a restart (the provider re-registers and
 * proves itself again).
 */
export class ProviderTrust {
  private consecutive = 0;
  private passCount = 0;
  private failCount = 0;
  private lastPass: number;
  private lastChallenge: number | undefined;
  private lastReason: string | undefined;

  constructor(
    private earnedLevel: TrustLevel,
    registeredAt: number,
    private readonly strikes: number,
  ) {
    // The registration proof is the first passed challenge.
    this.lastPass = registeredAt;
  }

  /** The level routing sees. */
  get level(): TrustLevel {
    return this.consecutive >= this.strikes ? "none" : this.earnedLevel;
  }

  get earned(): TrustLevel {
    return this.earnedLevel;
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }

  get passes(): number {
    return this.passCount;
  }

  get failures(): number {
    return this.failCount;
  }

  /** Last passed challenge (the registration proof counts). */
  get lastPassAt(): number {
    return this.lastPass;
  }

  /** Last periodic challenge answered or timed out, pass or fail (undefined before the first). */
  get lastChallengeAt(): number | undefined {
    return this.lastChallenge;
  }

  get lastFailureReason(): string | undefined {
    return this.lastReason;
  }

  pass(now: number): TrustChange {
    const before = this.level;
    this.consecutive = 0;
    this.passCount++;
    this.lastPass = now;
    this.lastChallenge = now;
    const level = this.level;
    return before === level ? { changed: false, level } : { changed: true, level, reason: "challenge passed: earned trust level restored" };
  }

  fail(now: number, reason: string): TrustChange {
    const before = this.level;
    this.consecutive++;
    this.failCount++;
    this.lastChallenge = now;
    this.lastReason = reason;
    const level = this.level;
    if (before === level) return { changed: false, level };
    return { changed: true, level, reason: `${this.consecutive} attestation challenges failed in a row (last: ${reason})` };
  }

  /** A hardware verifier (or a release check) changed what this provider has earned. */
  setEarned(level: TrustLevel): TrustChange {
    const before = this.level;
    this.earnedLevel = level;
    const after = this.level;
    return before === after ? { changed: false, level: after } : { changed: true, level: after, reason: `earned trust level is now ${level}` };
  }
}
