import type { TrustLevel } from "../registry/index.js";

/** What a provider has proven at registration (extended by release and challenge checks). */
export interface TrustEvidence {
  /** Hardware-backed evidence verified (register evidence + the answered challenge). */
  hardware: boolean;
}

/**
 * The level a provider earned; periodic challenges restore it after a lapse. The one place that
 * decides: `self_signed` is earned by the proof of possession every registered provider passed,
 * `hardware` additionally by verified hardware evidence.
 */
export function earnedTrustLevel(evidence: TrustEvidence): TrustLevel {
  return evidence.hardware ? "hardware" : "self_signed";
}
