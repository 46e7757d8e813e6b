/**
 * Accounts, sessions, API key management and usage: the store's sub-interfaces for issue 6.
 * Money is integer micro-USD; times are epoch milliseconds. No prompt or completion text here.
 */

export interface UserAccount {
  id: string;
  /** Null for accounts without a login (bootstrap, OIDC) and after erasure. */
  email: string | null;
  referralCode: string | null;
  /** The account whose referral code was given at signup. */
  referredBy: string | null;
  createdAt: number;
  closedAt: number | null;
}

export interface SessionRecord {
  id: string;
  accountId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface OidcIdentity {
  issuer: string;
  subject: string;
}

export interface AdminAccountRow {
  id: string;
  email: string | null;
  label: string;
  createdAt: number;
  closedAt: number | null;
  activeKeys: number;
  availableMicros: number;
  heldMicros: number;
}

export class EmailTakenError extends Error {
  override readonly name = "EmailTakenError";
}

export interface AccountStore {
  /** A new login account with a fresh unique referral code; EmailTakenError if the address is in use. */
  createUser(input: { email: string; passwordHash: string; referredBy: string | null }): Promise<UserAccount>;
  getUser(id: string): Promise<UserAccount | null>;
  /** An open account by (normalized) email with its password hash. */
  findLogin(email: string): Promise<{ account: UserAccount; passwordHash: string } | null>;
  /** The open account owning a referral code. */
  findByReferralCode(code: string): Promise<UserAccount | null>;
  /** Who referred `accountId` (null: nobody, or the account is unknown). */
  referrerOf(accountId: string): Promise<string | null>;
  /** The account linked to an external identity, created (with a referral code) on first sight. */
  accountForIdentity(identity: OidcIdentity): Promise<UserAccount>;
  createSession(input: { accountId: string; expiresAt: number }): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** True when this call revoked it (false: unknown or already revoked). */
  revokeSession(id: string): Promise<boolean>;
  /**
   * Erasure: every key and session revoked, identities unlinked, email/password/label/referral
   * data removed, the account closed. Ledger and request rows (amounts, token counts) stay.
   */
  eraseAccount(id: string): Promise<void>;
  /** A named coordinator secret, created with `generate()` on first use (race-safe across processes). */
  secret(name: string, generate: () => string): Promise<string>;
  /** Admin listing, newest first, keyset-paginated by `before` (a created_at/id cursor). */
  listAccounts(input: { limit: number; before?: { createdAt: number; id: string } }): Promise<AdminAccountRow[]>;
}

/** Per-key limits; null means unlimited. Caps are micro-USD per UTC day / ISO week / month. */
export interface KeyLimits {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  dailyMicros: number | null;
  weeklyMicros: number | null;
  monthlyMicros: number | null;
}

export const NO_LIMITS: KeyLimits = {
  requestsPerMinute: null,
  tokensPerMinute: null,
  dailyMicros: null,
  weeklyMicros: null,
  monthlyMicros: null,
};

export interface ManagedKey {
  id: string;
  accountId: string;
  name: string;
  /** The first characters of the secret, for recognizing it in lists (e.g. `sk-db-3f9a12`). */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  limits: KeyLimits;
}

export interface KeyUpdate {
  name?: string;
  limits?: Partial<KeyLimits>;
}

/** One settled request's token count at the time it settled (for tokens-per-minute windows). */
export interface TokenEvent {
  at: number;
  tokens: number;
}

export interface KeyStore {
  create(input: { accountId: string; keyHash: string; name: string; prefix: string; limits?: Partial<KeyLimits> }): Promise<ManagedKey>;
  /** The account's unrevoked keys, oldest first. */
  list(accountId: string): Promise<ManagedKey[]>;
  /** An unrevoked key of that account. */
  get(accountId: string, id: string): Promise<ManagedKey | null>;
  update(accountId: string, id: string, change: KeyUpdate): Promise<ManagedKey | null>;
  /** Replaces the secret (hash + prefix) of an unrevoked key: the old secret stops working at once. */
  rotate(accountId: string, id: string, secret: { keyHash: string; prefix: string }): Promise<ManagedKey | null>;
  revoke(accountId: string, id: string): Promise<boolean>;
  /** Records a use, writing at most once per `minIntervalMs` per key. */
  touch(id: string, at: number, minIntervalMs: number): Promise<void>;
  /** Links a request id to the key it was made with (before its reservation exists). */
  tagRequest(input: { requestId: string; accountId: string; apiKeyId: string }): Promise<void>;
  /** Charged (settled) plus held (reserved) micro-USD of the key's requests created at or after `since`. */
  spendSince(apiKeyId: string, since: number): Promise<number>;
  /** Prompt + completion tokens of the key's requests settled at or after `since`. */
  tokenEventsSince(apiKeyId: string, since: number): Promise<TokenEvent[]>;
}

export interface UsageRow {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Null: made without a managed key (e.g. before keys were tracked). */
  apiKeyId: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  chargedMicros: number;
}

export interface NetworkTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface UsageStore {
  /** The account's requests grouped per UTC day and key, for days in [fromMs, toMs). */
  byDayAndKey(accountId: string, fromMs: number, toMs: number): Promise<UsageRow[]>;
  /** Everything the account was charged (settled requests). */
  spentMicros(accountId: string): Promise<number>;
  /** Requests created since `since`, and the tokens of those settled. */
  totalsSince(since: number): Promise<NetworkTotals>;
}
