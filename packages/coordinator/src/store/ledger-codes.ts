/** Ledger account codes. Postings in one entry always sum to zero. */
export const LEDGER = {
  /** Source of granted and deposited credit; goes negative as credit is issued. */
  funding: "platform:funding",
  /** Collected charges (later split into provider earnings and platform fee). */
  revenue: "platform:revenue",
  available: (accountId: string) => `user:${accountId}:available`,
  held: (accountId: string) => `user:${accountId}:held`,
} as const;

export interface Posting {
  account: string;
  amount: number;
}

/** Integer micro-USD amount check at the store boundary. */
export function assertMicros(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer`);
}
