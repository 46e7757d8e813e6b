/** Ledger account codes. Postings in one entry always sum to zero. */
export const LEDGER = {
  /** What an unlinked provider identity (device `prv_…`) earned; moves to its account when it is linked. */
  device: (deviceId: string) => `provider:${deviceId}:earnings`,
  /** Source of granted and deposited credit; goes negative as credit is issued. */
  funding: "platform:funding",
  /** Charges settled without a split (before migration 4, or by a caller that gave none). */
  revenue: "platform:revenue",
  /** The platform's fee on each charge, less the referral share. */
  fees: "platform:fees",
  /** The provider share of requests served by providers linked to no account (kept by the platform until claimed). */
  unclaimedEarnings: "platform:unclaimed_provider_earnings",
  /** Paid out to providers through Stripe Connect. */
  payouts: "platform:payouts",
  available: (accountId: string) => `user:${accountId}:available`,
  held: (accountId: string) => `user:${accountId}:held`,
  /** What the account's providers earned; withdrawable. */
  earnings: (accountId: string) => `user:${accountId}:earnings`,
  /** The account's share of the platform fee on requests of the consumers it referred; withdrawable. */
  referral: (accountId: string) => `user:${accountId}:referral`,
} as const;

export interface Posting {
  account: string;
  amount: number;
}

/** Integer micro-USD amount check at the store boundary. */
export function assertMicros(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer`);
}
