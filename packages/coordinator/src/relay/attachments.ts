import type { BudgetHold, Grant } from "../admission/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Flight } from "./flight.js";
import type { DispatchBudget } from "./types.js";

/**
 * Which flights have a dispatch on which provider, with the registry's in-flight count and the
 * token budget held for each. Every `take` is matched by exactly one `give` (attempt ended,
 * failed over, cancelled, lost the race, or its provider left).
 */
export class Attachments {
  private readonly byProvider = new Map<LiveProvider, Set<Flight>>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly budget: DispatchBudget | undefined,
  ) {}

  /** Counts a dispatch of `f` to `p`; `hold`: budget admission already took for it. */
  take(f: Flight, p: LiveProvider, hold?: BudgetHold): BudgetHold | undefined {
    this.registry.acquire(p);
    let set = this.byProvider.get(p);
    if (!set) {
      set = new Set();
      this.byProvider.set(p, set);
    }
    set.add(f);
    return hold ?? this.budget?.hold(p, f.plan);
  }

  give(f: Flight, p: LiveProvider, hold: BudgetHold | undefined, completed: boolean): void {
    this.registry.release(p);
    const set = this.byProvider.get(p);
    if (set) {
      set.delete(f);
      if (set.size === 0) this.byProvider.delete(p);
    }
    if (hold) this.budget?.release(hold, completed);
  }

  /** Budget held by admission that no dispatch used. */
  drop(hold: BudgetHold): void {
    this.budget?.release(hold, false);
  }

  /** The flights with a dispatch on `p` (a copy: handling them detaches them). */
  flightsOn(p: LiveProvider): Flight[] {
    return [...(this.byProvider.get(p) ?? [])];
  }

  /** Admission's pick, if it is still registered and untried; its budget is returned otherwise. */
  claimGrant(f: Flight): Grant | undefined {
    const g = f.grant;
    f.grant = undefined;
    if (!g) return undefined;
    const p = g.hold.provider;
    if (this.registry.get(p.id) === p && !f.tried.has(p.id)) return g;
    this.drop(g.hold);
    return undefined;
  }

  /** Failover pick: a candidate with room first; when none has room, any candidate (already admitted). */
  pick(f: Flight): LiveProvider | undefined {
    const { plan } = f;
    const accept = plan.accept;
    const shape = { exclude: f.tried, inputTokens: plan.inputTokensEstimate, maxTokens: plan.maxTokens };
    const roomy = this.registry.pick(plan.model, { ...shape, accept: (c) => (!accept || accept(c)) && this.fits(c, f) });
    return roomy ?? this.registry.pick(plan.model, { ...shape, ...(accept && { accept }) });
  }

  /** Whether `p` may take this dispatch now (no budget configured: always). */
  fits(p: LiveProvider, f: Flight): boolean {
    return !this.budget || this.budget.fits(p, f.plan);
  }
}
