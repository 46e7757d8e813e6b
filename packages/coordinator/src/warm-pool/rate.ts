/**
 * Arrival rate per model (requests/s) as an exponentially decaying average with time constant
 * `tauMs`: each arrival adds 1/τ, and the value decays by e^(−Δt/τ). A steady λ req/s converges to
 * λ; silence decays it towards 0. Bounded: at most `maxModels` models, the slowest dropped first.
 */
export class ArrivalRates {
  private readonly rates = new Map<string, { value: number; at: number }>();

  constructor(
    private readonly tauMs: number,
    private readonly maxModels = 1024,
  ) {}

  note(model: string, now: number): void {
    const r = this.rates.get(model);
    const decayed = r ? r.value * Math.exp(-(now - r.at) / this.tauMs) : 0;
    this.rates.set(model, { value: decayed + 1000 / this.tauMs, at: now });
    if (this.rates.size > this.maxModels) this.dropSlowest(now);
  }

  /** Requests per second for `model` now. */
  rate(model: string, now: number): number {
    const r = this.rates.get(model);
    return r ? r.value * Math.exp(-Math.max(0, now - r.at) / this.tauMs) : 0;
  }

  /** Every model with a rate above `floor` now; the rest are forgotten. */
  active(now: number, floor: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const model of [...this.rates.keys()]) {
      const v = this.rate(model, now);
      if (v > floor) out.set(model, v);
      else this.rates.delete(model);
    }
    return out;
  }

  get size(): number {
    return this.rates.size;
  }

  private dropSlowest(now: number): void {
    let slowest: string | undefined;
    let min = Infinity;
    for (const model of this.rates.keys()) {
      const v = this.rate(model, now);
      if (v < min) [min, slowest] = [v, model];
    }
    if (slowest !== undefined) this.rates.delete(slowest);
  }
}
