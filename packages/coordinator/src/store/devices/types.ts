/** A pending device-code grant as stored (hashes only). */
export interface NewDeviceCode {
  /** SHA-256 hex of the device_code. */
  codeHash: string;
  /** SHA-256 hex of the normalized user_code. */
  userCodeHash: string;
  /** SHA-256 hex of the request's signature: the same signed request is accepted once. */
  proofHash: string;
  identityKey: string;
  deviceId: string;
  clientName: string | null;
  intervalMs: number;
  expiresAt: number;
}

export interface DeviceCodeLimits {
  /** Unexpired codes in the whole table. */
  maxPending: number;
  /** Unexpired codes per device that are not spent yet. */
  maxPerDevice: number;
}

export type CreateCodeOutcome = "created" | "replay" | "too_many" | "user_code_taken";

/** What one poll of `POST /v1/device/token` finds (RFC 8628 §3.5). */
export type PollOutcome =
  | { kind: "unknown" }
  | { kind: "pending"; intervalMs: number }
  | { kind: "slow_down"; intervalMs: number }
  | { kind: "expired" }
  | { kind: "denied" }
  | { kind: "issued"; accountId: string; deviceId: string };

export interface PollLimits {
  /** A code polled more often than this is spent (`expired_token`). */
  maxPolls: number;
  /** RFC 8628 §3.5: each `slow_down` adds this to the code's interval. */
  slowDownStepMs: number;
}

export type DecideOutcome =
  | { kind: "ok"; deviceId: string; movedMicros: number }
  | { kind: "unknown" }
  | { kind: "expired" }
  | { kind: "already_decided" };

export interface ProviderTokenOwner {
  tokenId: string;
  accountId: string;
  deviceId: string;
  identityKey: string;
}

export interface DeviceLink {
  deviceId: string;
  identityKey: string;
  accountId: string;
  linkedAt: number;
}

/** Settled provider earnings of one provider id on one UTC day. */
export interface EarningsRow {
  providerId: string;
  /** Days since the Unix epoch (UTC). */
  day: number;
  earnedMicros: number;
  requests: number;
  completionTokens: number;
}

/** Device login codes, provider account tokens and provider ↔ account links (migration 9). */
export interface DeviceStore {
  /** Stores a new code; purges expired ones first. Bounded by `limits`. */
  createCode(code: NewDeviceCode, limits: DeviceCodeLimits): Promise<CreateCodeOutcome>;
  /**
   * One token poll. When the code was approved, a provider token (`tokenHash`, new id `tokenId`)
   * is issued for the approving account and the code is spent: single use.
   */
  poll(codeHash: string, token: { tokenId: string; tokenHash: string }, limits: PollLimits): Promise<PollOutcome>;
  /** A logged-in user approves (links the device to `accountId`, moving its earnings) or denies. */
  decide(userCodeHash: string, accountId: string, approve: boolean): Promise<DecideOutcome>;
  /**
   * Links the device (a provider identity) to the account: its earnings from now on go to the
   * account, and what it earned unlinked moves there (one balanced entry). Returns what moved.
   */
  link(link: Omit<DeviceLink, "linkedAt">): Promise<{ movedMicros: number }>;
  linkOf(deviceId: string): Promise<DeviceLink | null>;
  /** Links of an account (bounded: at most `limit`). */
  linksOf(accountId: string, limit: number): Promise<DeviceLink[]>;
  /** The live (unrevoked) token with this hash. */
  tokenOwner(tokenHash: string): Promise<ProviderTokenOwner | null>;
  /** Revokes the token and unlinks its device from its account. False when it was not live. */
  revokeToken(tokenHash: string): Promise<boolean>;
  /** The account's settled provider earnings since `sinceMs`, per provider id and UTC day. */
  earnings(accountId: string, sinceMs: number): Promise<EarningsRow[]>;
  /** An unlinked device's own earnings balance (what moves when it is linked). */
  pendingEarnings(deviceId: string): Promise<number>;
}

/** `prv_` + 16 hex (ws/provider-id.ts); a second process of the same identity adds `-<kid8>`. */
const PROVIDER_ID_RE = /^(prv_[0-9a-f]{16})(?:-[0-9A-Za-z_-]{1,16})?$/;

/** The device (provider identity) a provider id belongs to, or null when it is not one of ours. */
export function deviceOfProviderId(providerId: string): string | null {
  return PROVIDER_ID_RE.exec(providerId)?.[1] ?? null;
}
