import { DEFAULT_HEALTH_POLICY } from "./policy.js";
import type { HealthGate, HealthPolicy, Outcome } from "./types.js";

/** Most models whose capacity rejections one provider's record keeps (providers register at most 8). */
const MAX_CAPACITY_MODELS = 16;

export type CircuitState = "closed" | "open" | "half_open";

/**
 * One provider's health: error cooldown, circuit breaker and per-model capacity cooldown. Pure
 * state over an injected clock; the registry owns one per connected provider and asks it whether a
 * dispatch may go there (`admits`) and which gates are closed (`gates`).
 *
 * - error cooldown: `errorCount` errors within `errorWindowMs` → out for `errorCooldownMs`;
 * - circuit breaker: `breakerConsecutive` failures in a row, or more than `breakerFailureRatio` of
 *   the last `breakerWindow` outcomes, → open for `breakerOpenMs`, doubling on each reopen up to
 *   `breakerMaxOpenMs`. When the open period ends the circuit is half-open: one trial request at a
 *   time; its success closes the circuit (and resets the doubling), its failure reopens it;
 * - capacity cooldown: `capacityCount` capacity rejections for one model within
 *   `capacityWindowMs` → that model out for `capacityCooldownMs`. They are not errors.
 */
export class ProviderHealth {
  private errorTimes: number[] = [];
  private errorCooldownUntil = 0;
  private consecutive = 0;
  /** The last `breakerWindow` outcomes while closed; true = failure. */
  private window: boolean[] = [];
  /** 0 while closed; else when the open period ends (half-open after it). */
  private openUntil = 0;
  private opens = 0;
  private readonly capacity = new Map<string, { times: number[]; until: number }>();

  constructor(
    private readonly now: () => number,
    private readonly policy: Readonly<HealthPolicy> = DEFAULT_HEALTH_POLICY,
  ) {}

  record(model: string, outcome: Outcome): void {
    const now = this.now();
    if (outcome === "capacity_rejected") return this.capacityRejected(model, now);
    const failed = outcome === "error";
    if (failed) this.errored(now);
    if (this.openUntil > 0) {
      // Open: a late result of an earlier dispatch changes nothing. Half-open: the trial decides.
      if (now < this.openUntil) return;
      if (failed) return this.open(now);
      this.openUntil = 0;
      this.opens = 0;
      this.consecutive = 0;
      this.window = [];
      return;
    }
    this.consecutive = failed ? this.consecutive + 1 : 0;
    this.window.push(failed);
    if (this.window.length > this.policy.breakerWindow) this.window.shift();
    const failures = this.window.filter(Boolean).length;
    const ratioTripped = this.window.length >= this.policy.breakerWindow && failures > this.policy.breakerFailureRatio * this.window.length;
    if (failed && (this.consecutive >= this.policy.breakerConsecutive || ratioTripped)) this.open(now);
  }

  circuit(): CircuitState {
    if (this.openUntil === 0) return "closed";
    return this.now() < this.openUntil ? "open" : "half_open";
  }

  /**
   * May a request for `model` go there now? `inFlight`: requests already dispatched to the
   * provider (a half-open circuit takes one trial at a time).
   */
  admits(model: string, inFlight: number): boolean {
    const now = this.now();
    if (now < this.errorCooldownUntil) return false;
    if (this.openUntil > 0 && (now < this.openUntil || inFlight > 0)) return false;
    const cap = this.capacity.get(model);
    return !cap || now >= cap.until;
  }

  /** The health gates closed right now (SPEC names). */
  gates(): HealthGate[] {
    const now = this.now();
    const out: HealthGate[] = [];
    if (now < this.errorCooldownUntil) {
      out.push({ name: "error_cooldown", until: this.errorCooldownUntil, detail: `${this.policy.errorCount} errors within ${this.policy.errorWindowMs / 1000} s` });
    }
    if (now < this.openUntil) {
      out.push({ name: "circuit_open", until: this.openUntil, detail: `too many failed requests; one trial request after the open period (opened ${this.opens} time(s) in a row)` });
    }
    for (const [model, cap] of this.capacity) {
      if (now < cap.until) out.push({ name: "capacity_cooldown", model, until: cap.until, detail: `${this.policy.capacityCount} capacity rejections (overloaded) within ${this.policy.capacityWindowMs / 1000} s` });
    }
    return out;
  }

  /** When the last closed gate lifts (0: none closed; an open circuit counts until it ends). */
  closedUntil(): number {
    let until = Math.max(this.errorCooldownUntil, this.openUntil);
    for (const cap of this.capacity.values()) until = Math.max(until, cap.until);
    return until > this.now() ? until : 0;
  }

  private errored(now: number): void {
    this.errorTimes = this.errorTimes.filter((t) => t > now - this.policy.errorWindowMs);
    this.errorTimes.push(now);
    if (this.errorTimes.length >= this.policy.errorCount) {
      this.errorCooldownUntil = Math.max(this.errorCooldownUntil, now + this.policy.errorCooldownMs);
      this.errorTimes = [];
    }
  }

  private open(now: number): void {
    const ms = Math.min(this.policy.breakerOpenMs * 2 ** this.opens, this.policy.breakerMaxOpenMs);
    this.openUntil = now + ms;
    this.opens++;
    this.consecutive = 0;
  }

  private capacityRejected(model: string, now: number): void {
    let cap = this.capacity.get(model);
    if (!cap) {
      if (this.capacity.size >= MAX_CAPACITY_MODELS) this.pruneCapacity(now);
      cap = { times: [], until: 0 };
      this.capacity.set(model, cap);
    }
    cap.times = cap.times.filter((t) => t > now - this.policy.capacityWindowMs);
    cap.times.push(now);
    if (cap.times.length >= this.policy.capacityCount) {
      cap.until = now + this.policy.capacityCooldownMs;
      cap.times = [];
    }
  }

  /** Drops models with no cooldown running, then (still full) the oldest entry. */
  private pruneCapacity(now: number): void {
    for (const [model, cap] of this.capacity) if (cap.until <= now) this.capacity.delete(model);
    if (this.capacity.size >= MAX_CAPACITY_MODELS) this.capacity.delete(this.capacity.keys().next().value as string);
  }
}
