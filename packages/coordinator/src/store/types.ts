import type { AccountStore, KeyStore, UsageStore } from "./accounts/types.js";
import type { ModelManifestStore } from "./models/types.js";
import type { KnownModelStore } from "./known-models/types.js";
import type { DisputeStore } from "./disputes/types.js";
import type { ReleaseStore } from "./releases/types.js";
import type { DeviceStore } from "./devices/types.js";

/**
 * Durable state behind one interface with interchangeable engines (SQLite now, PostgreSQL later).
 * Money is integer micro-USD everywhere. Nothing here ever holds prompt or completion text.
 */

export interface Account {
  id: string;
  label: string;
  createdAt: number;
}

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  /** SHA-256 of the full key, lowercase hex. The key itself is never stored. */
  keyHash: string;
  label: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface Balance {
  /** Spendable now. */
  availableMicros: number;
  /** Reserved by in-flight requests. */
  heldMicros: number;
}

export interface ReserveInput {
  requestId: string;
  accountId: string;
  amountMicros: number;
  model: string;
}

export type ReserveResult =
  | { ok: true; reservedMicros: number; replay: boolean }
  | { ok: false; reason: "insufficient_balance"; availableMicros: number };

export interface SettleInput {
  requestId: string;
  /** What the usage costs; 0 refunds the whole hold. */
  chargeMicros: number;
  promptTokens: number;
  completionTokens: number;
  providerId: string | null;
  outcome: SettledState;
  /** How the charge is shared; absent: all of it to `platform:revenue`. Its parts sum to the charge. */
  split?: SettleSplit;
}

/** Who earns what of one charge (billing/split.ts computes it). */
export interface SettleSplit {
  /**
   * The serving provider's owner; null: the account its device is linked to, else the device's own
   * earnings account (`provider:<device>:earnings`, moved on linking), else the unclaimed pool.
   */
  providerAccountId: string | null;
  providerMicros: number;
  platformFeeMicros: number;
  referrerAccountId: string | null;
  referralMicros: number;
}

/** How a request ended; `expired`: settled by the reservation sweeper. */
export type SettledState = "completed" | "failed" | "cancelled" | "expired";

/** What reached a request's consumer so far (a write-behind checkpoint, not the final usage). */
export interface DeliveryInput {
  requestId: string;
  /** Billable prompt tokens if the request ended now. */
  promptTokens: number;
  /** Completion tokens delivered to the consumer. */
  completionTokens: number;
  providerId: string | null;
  /** The serving provider's owner account, kept so a swept request still pays its owner. */
  providerAccountId?: string | null;
}

/** A reservation still held, as the sweeper sees it. */
export interface HeldReservation {
  requestId: string;
  accountId: string;
  model: string;
  reservedMicros: number;
  createdAt: number;
  /** The last delivery checkpoint; null when nothing was recorded as delivered. */
  delivered: { promptTokens: number; completionTokens: number; providerId: string | null; providerAccountId?: string | null } | null;
}

export interface SettleResult {
  chargedMicros: number;
  refundedMicros: number;
  /** Cost above the hold: never charged (a request never costs more than it reserved). */
  shortfallMicros: number;
  /** True when this request had already been settled; the first result is returned unchanged. */
  replay: boolean;
}

export interface CreditInput {
  accountId: string;
  amountMicros: number;
  /** Makes the credit idempotent (e.g. a bootstrap grant or a payment id). */
  idempotencyKey: string;
  kind: "grant" | "deposit" | "admin";
}

/** A per-model price in micro-USD per 1M tokens; ownerAccountId null: the platform's price. */
export interface ModelPriceRecord {
  ownerAccountId: string | null;
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface InviteRecord {
  code: string;
  amountMicros: number;
  maxUses: number;
  uses: number;
  /** ms since epoch; null: never expires. */
  expiresAt: number | null;
  createdAt: number;
}

export type RedeemResult =
  | { ok: true; amountMicros: number; replay: boolean }
  | { ok: false; reason: "not_found" | "expired" | "exhausted" };

export interface Earnings {
  /** Earned by the account's providers. */
  earningsMicros: number;
  /** Its share of the platform fee on referred consumers' requests. */
  referralMicros: number;
}

export type WithdrawalState = "pending" | "paid" | "failed";

export interface WithdrawalRecord {
  id: string;
  accountId: string;
  amountMicros: number;
  state: WithdrawalState;
  transferId: string | null;
}

/** Per-request money invariants over the whole ledger (see `auditRequests`). */
export interface RequestAudit {
  settledRequests: number;
  /** Requests still reserved, and what they hold in total. */
  openRequests: number;
  heldMicros: number;
  /** One line per violated invariant, naming the request. Empty when everything adds up. */
  problems: string[];
}

export interface LedgerCheck {
  /** Sum of every posting; 0 when the ledger balances. */
  postingSum: number;
  /** Entries whose own postings do not sum to 0. */
  unbalancedEntries: number;
  /** Ledger accounts whose cached balance differs from the sum of its postings. */
  driftedAccounts: number;
}

export interface RequestRecord {
  requestId: string;
  accountId: string;
  model: string;
  reservedMicros: number;
  chargedMicros: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  providerId: string | null;
  state: "reserved" | SettledState;
  /** The last delivery checkpoint (see `recordDelivery`), if any. */
  delivered: { promptTokens: number; completionTokens: number } | null;
}

export interface Store {
  readonly engine: string;
  /** Login accounts, sessions, identities, referral codes, erasure (store/accounts). */
  readonly accounts: AccountStore;
  /** API key management and per-key windows (store/accounts). */
  readonly keys: KeyStore;
  /** Read-only usage and network totals (store/accounts). */
  readonly usage: UsageStore;
  /** The model registry: catalog manifests (store/models). */
  readonly models: ModelManifestStore;
  /** Models proven providers served recently: 503, not 404, after a restart (store/known-models). */
  readonly knownModels: KnownModelStore;
  /** Consumers' disputes of signed usage receipts (store/disputes). */
  readonly disputes: DisputeStore;
  /** Provider releases registered by CI (store/releases). */
  readonly releases: ReleaseStore;
  /** Device login codes, provider account tokens, provider ↔ account links (store/devices). */
  readonly devices: DeviceStore;
  createAccount(input: { id?: string; label?: string }): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  createApiKey(input: { accountId: string; keyHash: string; label?: string }): Promise<ApiKeyRecord>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  revokeApiKey(id: string): Promise<void>;
  /** Adds credit from the platform's funding account; idempotent per key. */
  credit(input: CreditInput): Promise<{ replay: boolean }>;
  getBalance(accountId: string): Promise<Balance>;
  /** Moves the worst-case cost from available to held; idempotent per request id. */
  reserve(input: ReserveInput): Promise<ReserveResult>;
  /**
   * Charges the actual cost, at most the hold, and refunds the rest; idempotent per request id
   * (a repeated settle returns the first result and changes nothing).
   */
  settle(input: SettleInput): Promise<SettleResult>;
  /** Checkpoints what a still-held request delivered; a no-op once it is settled. */
  recordDelivery(input: DeliveryInput): Promise<void>;
  /** Reservations still held that were created before `createdBefore`, oldest first. */
  heldReservations(createdBefore: number, limit: number): Promise<HeldReservation[]>;
  getRequest(requestId: string): Promise<RequestRecord | null>;
  /** Double-entry invariants, for tests and health checks. */
  checkLedger(): Promise<LedgerCheck>;
  /**
   * For every settled request: its settle entry moved exactly the hold out of `held`, refunded
   * the rest, and the consumer's debit equals the provider's credit plus the platform fee plus
   * the referral share, each posted to the account the request names.
   */
  auditRequests(): Promise<RequestAudit>;
  /** Sets (upserts) a per-model price; ownerAccountId null: the platform price. */
  setModelPrice(price: ModelPriceRecord): Promise<void>;
  /** False when there was none. */
  deleteModelPrice(ownerAccountId: string | null, model: string): Promise<boolean>;
  listModelPrices(): Promise<ModelPriceRecord[]>;
  createInvite(input: { code: string; amountMicros: number; maxUses: number; expiresAt: number | null }): Promise<InviteRecord>;
  /** Credits the invite's amount once per (code, account); a repeat is a replay that credits nothing. */
  redeemInvite(code: string, accountId: string): Promise<RedeemResult>;
  getEarnings(accountId: string): Promise<Earnings>;
  setPayoutAccount(accountId: string, stripeAccountId: string): Promise<void>;
  getPayoutAccount(accountId: string): Promise<string | null>;
  /** Moves `amountMicros` of earnings (then referral earnings) to payouts, or refuses when they are short. */
  startWithdrawal(input: { id: string; accountId: string; amountMicros: number }): Promise<{ ok: true } | { ok: false; availableMicros: number }>;
  /** The transfer went out. */
  completeWithdrawal(id: string, transferId: string): Promise<void>;
  /** The transfer failed: the amount goes back to the account's earnings (idempotent). */
  failWithdrawal(id: string): Promise<void>;
  getWithdrawal(id: string): Promise<WithdrawalRecord | null>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  override readonly name = "StoreError";
}
