import { ENVELOPE_VALIDITY_MS } from "@darkbloom/protocol";

export type ReplayVerdict = "ok" | "stale" | "replayed" | "full";

export interface ReplayGuardOptions {
  /** An envelope is accepted only this close to its issue time (either direction). */
  validityMs?: number;
  /** Most envelopes remembered at once; beyond it new envelopes are refused (fail closed). */
  capacity?: number;
  now?: () => number;
}

/**
 * Refuses a sealed request whose HPKE `enc` this process has already accepted while it is still
 * within its validity window, and any envelope outside that window. `enc` is fresh randomness of
 * the sealer for every recipient of every envelope, so an honest consumer never repeats one; a
 * repeat is a replay (by the coordinator or anyone on the path).
 *
 * An entry can be forgotten once its envelope is too old to pass the freshness check, so memory is
 * bounded by the request rate over one window; at `capacity` (far above what one machine can
 * serve in a window) it fails closed rather than forgetting entries that could still be replayed.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly validityMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(opts: ReplayGuardOptions = {}) {
    this.validityMs = opts.validityMs ?? ENVELOPE_VALIDITY_MS;
    this.capacity = opts.capacity ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Call only after the envelope opened (that authenticates `iat`). Records `enc` when admitted. */
  admit(enc: string, iat: number): ReplayVerdict {
    const now = this.now();
    if (Math.abs(now - iat) > this.validityMs) return "stale";
    const expires = this.seen.get(enc);
    if (expires !== undefined && expires >= now) return "replayed";
    if (this.seen.size >= this.capacity) {
      this.prune(now);
      if (this.seen.size >= this.capacity) return "full";
    }
    this.seen.set(enc, iat + this.validityMs);
    return "ok";
  }

  private prune(now: number): void {
    for (const [enc, expires] of this.seen) if (expires < now) this.seen.delete(enc);
  }
}
