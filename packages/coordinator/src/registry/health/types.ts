/** How one dispatch to a provider ended, as far as its health is concerned. */
export type Outcome = "success" | "error" | "capacity_rejected";

/** What the relay measured for one completed request (feeds the speed EWMAs). */
export interface CompletionSample {
  promptTokens: number;
  completionTokens: number;
  /** Dispatch to first chunk (absent when no chunk arrived before completion). */
  ttftMs?: number;
  /** First chunk to completion (or dispatch to completion without a first chunk). */
  decodeMs: number;
}

/** A health gate currently closed for a provider (or one of its models). */
export interface HealthGate {
  name: "error_cooldown" | "circuit_open" | "capacity_cooldown";
  model?: string;
  until: number;
  detail: string;
}

/** Numbers of the health rules (SPEC "Routing and capacity"; defaults in policy.ts). */
export interface HealthPolicy {
  /** Errors within `errorWindowMs` that start an error cooldown (2 in 60 s → out 5 min). */
  errorCount: number;
  errorWindowMs: number;
  errorCooldownMs: number;
  /** Consecutive failures that open the circuit. */
  breakerConsecutive: number;
  /** …or more than this share of the last `breakerWindow` outcomes failed. */
  breakerFailureRatio: number;
  breakerWindow: number;
  /** First open period; doubles on each reopen up to `breakerMaxOpenMs`. */
  breakerOpenMs: number;
  breakerMaxOpenMs: number;
  /** Capacity rejections (provider `overloaded`) within the window that start a capacity cooldown for that model. */
  capacityCount: number;
  capacityWindowMs: number;
  capacityCooldownMs: number;
}
