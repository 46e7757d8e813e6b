import type { Challenge } from "@darkbloom/protocol";

/** Nonces remembered per connection to tell a replay from a merely unknown nonce (bounded). */
const REMEMBERED_NONCES = 16;

/** `counted`: the failure was already recorded (a late answer to a challenge that timed out). */
export type Taken = { ok: true; challenge: Challenge } | { ok: false; reason: string; counted: boolean };

/**
 * The challenges of one connection: at most one outstanding; every nonce is answerable once. A
 * response with a nonce already answered (or expired) is a replay and fails the challenge.
 */
export class ChallengeBook {
  private outstanding: Challenge | undefined;
  private readonly used: string[] = [];
  /** The last challenge that timed out: its late answer is not a second failure. */
  private lastExpired: string | undefined;

  get pending(): Challenge | undefined {
    return this.outstanding;
  }

  issue(challenge: Challenge): void {
    this.retire();
    this.lastExpired = undefined;
    this.outstanding = challenge;
  }

  /** Consumes the outstanding challenge if `nonce` answers it. */
  take(nonce: string): Taken {
    const c = this.outstanding;
    if (c && c.nonce === nonce) {
      this.retire();
      return { ok: true, challenge: c };
    }
    if (nonce === this.lastExpired) {
      this.lastExpired = undefined;
      return { ok: false, reason: "late answer to a challenge that already timed out", counted: true };
    }
    if (this.used.includes(nonce)) return { ok: false, reason: "replayed nonce (already answered or expired)", counted: false };
    return { ok: false, reason: c ? "nonce does not match the outstanding challenge" : "no challenge is outstanding", counted: false };
  }

  /** Gives up on the outstanding challenge (timeout); its nonce can no longer be answered. */
  expire(): Challenge | undefined {
    const c = this.outstanding;
    this.retire();
    this.lastExpired = c?.nonce;
    return c;
  }

  private retire(): void {
    if (!this.outstanding) return;
    this.used.push(this.outstanding.nonce);
    if (this.used.length > REMEMBERED_NONCES) this.used.shift();
    this.outstanding = undefined;
  }
}
