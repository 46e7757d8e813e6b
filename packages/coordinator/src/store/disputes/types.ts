/** A consumer's dispute of one request's signed usage receipt. */
export interface DisputeRecord {
  requestId: string;
  /** The consumer account that filed it (the request's owner). */
  accountId: string;
  /** The serving provider, and the identity key that signed the receipt. */
  providerId: string;
  identityKey: string;
  reason: string;
  claimed: number | null;
  allowed: number | null;
  /** The signed receipt as verified (JSON text; token counts and a hash, never content). */
  receiptJson: string;
  createdAt: number;
}

export interface ProviderDisputeCount {
  providerId: string;
  disputes: number;
}

/** Receipt disputes (migration 7). */
export interface DisputeStore {
  /** Stores it once per request id; a repeat returns the first record with `created: false`. */
  file(input: Omit<DisputeRecord, "createdAt">): Promise<{ created: boolean; record: DisputeRecord }>;
  get(requestId: string): Promise<DisputeRecord | null>;
  /** Disputes `accountId` filed at or after `since` (its rate limit). */
  countFiledSince(accountId: string, since: number): Promise<number>;
  /** Disputes against one provider, all time. */
  countAgainst(providerId: string): Promise<number>;
  /** Providers with the most disputes first, at most `limit`. */
  countsByProvider(limit: number): Promise<ProviderDisputeCount[]>;
}
