/**
 * How one charge is shared. Pure: integer micro-USD only, and the parts always sum exactly to
 * the charge. Rounding favours the provider: the fee is rounded down, then the referrer's share
 * of the fee is rounded down (the platform keeps the remainder of the fee).
 */

/** Percentages as basis points (1% = 100 bps) so that 2.5% stays exact. */
export const BPS_PER_PERCENT = 100;
const FULL_BPS = 100 * BPS_PER_PERCENT;

export interface SplitPolicy {
  /** Platform fee, 0..10000 bps of each charge. */
  platformFeeBps: number;
  /** The referrer's share of the platform fee, 0..10000 bps. */
  referralShareBps: number;
}

export interface ChargeSplit {
  /** The serving provider's owner (or the unclaimed pool when unlinked). */
  providerMicros: number;
  /** What the platform keeps (the fee less the referral share). */
  platformFeeMicros: number;
  /** The consumer's referrer, when it has one. */
  referralMicros: number;
}

export function percentToBps(percent: number): number {
  return Math.round(percent * BPS_PER_PERCENT);
}

function checkBps(name: string, bps: number): void {
  if (!Number.isInteger(bps) || bps < 0 || bps > FULL_BPS) throw new RangeError(`${name} must be an integer between 0 and ${FULL_BPS} bps`);
}

export function splitCharge(chargeMicros: number, policy: SplitPolicy, hasReferrer: boolean): ChargeSplit {
  if (!Number.isSafeInteger(chargeMicros) || chargeMicros < 0) throw new RangeError("chargeMicros must be a non-negative safe integer");
  checkBps("platformFeeBps", policy.platformFeeBps);
  checkBps("referralShareBps", policy.referralShareBps);
  // chargeMicros < 2^53 and bps ≤ 10^4: the product can pass 2^53, so use BigInt for exactness.
  const fee = Number((BigInt(chargeMicros) * BigInt(policy.platformFeeBps)) / BigInt(FULL_BPS));
  const referral = hasReferrer ? Number((BigInt(fee) * BigInt(policy.referralShareBps)) / BigInt(FULL_BPS)) : 0;
  return { providerMicros: chargeMicros - fee, platformFeeMicros: fee - referral, referralMicros: referral };
}
