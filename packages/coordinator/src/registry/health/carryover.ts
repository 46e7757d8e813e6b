import type { ProviderHealth } from "./provider-health.js";

/** Records kept at most (each a few hundred bytes). */
const MAX_CARRIED = 10_000;

/**
 * Health records of disconnected providers whose cooldown or open circuit has not run out yet,
 * by provider id: a provider cannot shed a closed gate by reconnecting. Everything else about a
 * provider is dropped on disconnect; these entries expire with their gates and are bounded.
 */
export class HealthCarryover {
  private readonly byId = new Map<string, { health: ProviderHealth; until: number }>();

  constructor(private readonly now: () => number) {}

  keep(id: string, health: ProviderHealth): void {
    const until = health.closedUntil();
    if (until === 0) return;
    this.prune();
    if (this.byId.size >= MAX_CARRIED) this.byId.delete(this.byId.keys().next().value as string);
    this.byId.delete(id);
    this.byId.set(id, { health, until });
  }

  /** The carried record for `id` (removed from here), if its gates are still closed. */
  take(id: string): ProviderHealth | undefined {
    const e = this.byId.get(id);
    if (!e) return undefined;
    this.byId.delete(id);
    return e.until > this.now() ? e.health : undefined;
  }

  get size(): number {
    return this.byId.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, e] of this.byId) if (e.until <= now) this.byId.delete(id);
  }
}
