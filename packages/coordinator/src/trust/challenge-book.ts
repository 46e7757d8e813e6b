import type { Challenge } from "@darkbloom/protocol";

/** Nonces remembered per connection to tell a replay from a merely unknown nonce (bounded). */
const REMEMBERED_NONCES = 16;

export type Taken = { ok: true; challenge: Challenge } | { ok: false; reason: string };

/**
 * The challenges of one connection: at most one outstanding; every nonce is answerable once. A
 * response with a nonce already answered (or expired) is a replay and fails the challenge.
 */
export class ChallengeBook {
  private outstanding: Challenge | undefined;
  private readonly used: string[] = [];

  get pending(): Challenge | undefined {
    return this.outstanding;
  }

  issue(challenge: Challenge): void {
    this.retire();
    this.outstanding = challenge;
  }

  /** Consumes the outstanding challenge if `nonce` answers it. */
  take(nonce: string): Taken {
    const c = this.outstanding;
    if (c && c.nonce === nonce) {
      this.retire();
      return { ok: true, challenge: c };
    }
    if (this.used.includes(nonce)) return { ok: false, reason: "replayed nonce (already answered or expired)" };
    return { ok: false, reason: c ? "nonce does not match the outstanding challenge" : "no challenge is outstanding" };
  }

  /** Gives up on the outstanding challenge (timeout); its nonce can no longer be answered. */
  expire(): Challenge | undefined {
    const c = this.outstanding;
    this.retire();
    return c;
  }

  private retire(): void {
    if (!this.outstanding) return;
    this.used.push(this.outstanding.nonce);
    if (this.used.length > REMEMBERED_NONCES) this.used.shift();
    this.outstanding = undefined;
  }
}
