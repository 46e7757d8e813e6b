import { randomUUID } from "node:crypto";
import type { SqlDatabase, SqlExecutor } from "./sql.js";
import { SqlAccounts, SqlKeys, SqlUsage, type AccountStore, type KeyStore, type UsageStore } from "./accounts/index.js";
import { LEDGER, assertMicros, type Posting } from "./ledger-codes.js";
import { balanceOf, checkLedger, checkSplit, entryExists, postEntry, splitPostings } from "./ledger-sql.js";
import { auditRequests } from "./audit.js";
import { MoneyQueries } from "./money-store.js";
import { SqlModelManifests, type ModelManifestStore } from "./models/index.js";
import { SqlKnownModels, type KnownModelStore } from "./known-models/index.js";
import { SqlDisputes, type DisputeStore } from "./disputes/index.js";
import { SqlReleases, type ReleaseStore } from "./releases/index.js";
import { SqlDevices, deviceOfProviderId, unlinkedEarningsTarget, type DeviceStore } from "./devices/index.js";
import { REQUEST_COLUMNS, heldReservationOf, requestRecordOf, type RequestRow } from "./request-rows.js";
import {
  StoreError,
  type Account,
  type ApiKeyRecord,
  type Balance,
  type CreditInput,
  type DeliveryInput,
  type HeldReservation,
  type LedgerCheck,
  type RequestRecord,
  type ReserveInput,
  type ReserveResult,
  type SettleInput,
  type SettleResult,
  type Store,
  type RequestAudit,
} from "./types.js";

export interface SqlStoreDeps {
  now?: () => number;
  /** A new unique id with the given prefix (`acct`, `key`, `le`). */
  newId?: (prefix: string) => string;
}

interface KeyRow {
  id: string;
  account_id: string;
  key_hash: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

/** The Store on top of the portable query layer; every engine shares this logic. */
export class SqlStore implements Store {
  readonly engine: string;
  readonly accounts: AccountStore;
  readonly keys: KeyStore;
  readonly usage: UsageStore;
  readonly models: ModelManifestStore;
  readonly knownModels: KnownModelStore;
  readonly disputes: DisputeStore;
  readonly releases: ReleaseStore;
  readonly devices: DeviceStore;
  private readonly now: () => number;
  private readonly newId: (prefix: string) => string;
  /** Prices, invites, payouts: see money-store.ts (delegated below). */
  private readonly money: MoneyQueries;

  constructor(
    private readonly db: SqlDatabase,
    deps: SqlStoreDeps = {},
  ) {
    this.engine = db.dialect;
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? ((prefix) => `${prefix}_${randomUUID().replaceAll("-", "")}`);
    const sub = { now: this.now, newId: this.newId };
    this.accounts = new SqlAccounts(db, sub);
    this.keys = new SqlKeys(db, sub);
    this.usage = new SqlUsage(db);
    this.models = new SqlModelManifests(db, this.now);
    this.knownModels = new SqlKnownModels(db);
    this.disputes = new SqlDisputes(db, this.now);
    const ledger = { post: this.post.bind(this) };
    this.money = new MoneyQueries(db, ledger, this.now);
    this.releases = new SqlReleases(db, this.now);
    this.devices = new SqlDevices(db, ledger, this.now, this.newId);
  }

  setModelPrice: Store["setModelPrice"] = (p) => this.money.setModelPrice(p);
  deleteModelPrice: Store["deleteModelPrice"] = (owner, model) => this.money.deleteModelPrice(owner, model);
  listModelPrices: Store["listModelPrices"] = () => this.money.listModelPrices();
  createInvite: Store["createInvite"] = (i) => this.money.createInvite(i);
  redeemInvite: Store["redeemInvite"] = (code, accountId) => this.money.redeemInvite(code, accountId);
  getEarnings: Store["getEarnings"] = (accountId) => this.money.getEarnings(accountId);
  setPayoutAccount: Store["setPayoutAccount"] = (a, s) => this.money.setPayoutAccount(a, s);
  getPayoutAccount: Store["getPayoutAccount"] = (a) => this.money.getPayoutAccount(a);
  startWithdrawal: Store["startWithdrawal"] = (i) => this.money.startWithdrawal(i);
  completeWithdrawal: Store["completeWithdrawal"] = (id, t) => this.money.completeWithdrawal(id, t);
  failWithdrawal: Store["failWithdrawal"] = (id) => this.money.failWithdrawal(id);
  getWithdrawal: Store["getWithdrawal"] = (id) => this.money.getWithdrawal(id);

  auditRequests(): Promise<RequestAudit> {
    return auditRequests(this.db);
  }

  async createAccount(input: { id?: string; label?: string }): Promise<Account> {
    const account: Account = { id: input.id ?? this.newId("acct"), label: input.label ?? "", createdAt: this.now() };
    await this.db.run(`INSERT INTO accounts (id, label, created_at) VALUES (?, ?, ?)`, [
      account.id,
      account.label,
      account.createdAt,
    ]);
    return account;
  }

  async getAccount(id: string): Promise<Account | null> {
    const row = await this.db.get<{ id: string; label: string; created_at: number }>(
      `SELECT id, label, created_at FROM accounts WHERE id = ?`,
      [id],
    );
    return row ? { id: row.id, label: row.label, createdAt: row.created_at } : null;
  }

  async createApiKey(input: { accountId: string; keyHash: string; label?: string }): Promise<ApiKeyRecord> {
    if (!/^[0-9a-f]{64}$/.test(input.keyHash)) throw new StoreError("keyHash must be a SHA-256 hex digest");
    const rec: ApiKeyRecord = {
      id: this.newId("key"),
      accountId: input.accountId,
      keyHash: input.keyHash,
      label: input.label ?? "",
      createdAt: this.now(),
      revokedAt: null,
    };
    await this.db.run(
      `INSERT INTO api_keys (id, account_id, key_hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)`,
      [rec.id, rec.accountId, rec.keyHash, rec.label, rec.createdAt],
    );
    return rec;
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.get<KeyRow>(
      `SELECT id, account_id, key_hash, label, created_at, revoked_at FROM api_keys WHERE key_hash = ?`,
      [keyHash],
    );
    if (!row) return null;
    return {
      id: row.id,
      accountId: row.account_id,
      keyHash: row.key_hash,
      label: row.label,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    };
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.db.run(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, [this.now(), id]);
  }

  async credit(input: CreditInput): Promise<{ replay: boolean }> {
    assertMicros("amountMicros", input.amountMicros);
    return this.db.transaction(async (tx) => {
      const key = `credit:${input.idempotencyKey}`;
      if (await entryExists(tx, key)) return { replay: true };
      await this.post(tx, input.kind, key, null, [
        { account: LEDGER.funding, amount: -input.amountMicros },
        { account: LEDGER.available(input.accountId), amount: input.amountMicros },
      ]);
      return { replay: false };
    });
  }

  async getBalance(accountId: string): Promise<Balance> {
    const rows = await this.db.all<{ code: string; balance: number }>(
      `SELECT code, balance FROM ledger_accounts WHERE code IN (?, ?)`,
      [LEDGER.available(accountId), LEDGER.held(accountId)],
    );
    const of = (code: string) => Number(rows.find((r) => r.code === code)?.balance ?? 0);
    return { availableMicros: of(LEDGER.available(accountId)), heldMicros: of(LEDGER.held(accountId)) };
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    assertMicros("amountMicros", input.amountMicros);
    return this.db.transaction(async (tx) => {
      const existing = await this.requestRow(tx, input.requestId);
      if (existing) return { ok: true, reservedMicros: Number(existing.reserved), replay: true };
      const available = LEDGER.available(input.accountId);
      // The transaction is serializable (query-layer contract), so read-then-post cannot race.
      const balance = await balanceOf(tx, available);
      if (balance < input.amountMicros) return { ok: false, reason: "insufficient_balance", availableMicros: balance };
      await tx.run(
        `INSERT INTO requests (request_id, account_id, model, state, reserved, created_at) VALUES (?, ?, ?, 'reserved', ?, ?)`,
        [input.requestId, input.accountId, input.model, input.amountMicros, this.now()],
      );
      await this.post(tx, "reserve", `reserve:${input.requestId}`, input.requestId, [
        { account: available, amount: -input.amountMicros },
        { account: LEDGER.held(input.accountId), amount: input.amountMicros },
      ]);
      return { ok: true, reservedMicros: input.amountMicros, replay: false };
    });
  }

  async settle(input: SettleInput): Promise<SettleResult> {
    assertMicros("chargeMicros", input.chargeMicros);
    return this.db.transaction(async (tx) => {
      const row = await this.requestRow(tx, input.requestId);
      if (!row) throw new StoreError(`no reservation for request ${input.requestId}`);
      const reserved = Number(row.reserved);
      if (row.state !== "reserved") {
        const charged = Number(row.charged ?? 0);
        return {
          chargedMicros: charged,
          refundedMicros: Math.max(reserved - charged, 0),
          shortfallMicros: Number(row.shortfall ?? 0),
          replay: true,
        };
      }
      const available = LEDGER.available(row.account_id);
      // Never above the hold: what a provider claims beyond it is not the consumer's to pay.
      const charged = Math.min(input.chargeMicros, reserved);
      const refunded = reserved - charged;
      const shortfall = input.chargeMicros - charged;
      let split = input.split;
      if (split) checkSplit(split, charged);
      // An unlinked connection's share: its device's linked account, else the device's own account.
      let device: string | null = null;
      if (split && split.providerAccountId === null) {
        const target = await unlinkedEarningsTarget(tx, input.providerId === null ? null : deviceOfProviderId(input.providerId));
        if (target && "accountId" in target) split = { ...split, providerAccountId: target.accountId };
        else if (target) device = target.deviceId;
      }
      await this.post(tx, "settle", `settle:${input.requestId}`, input.requestId, [
        { account: LEDGER.held(row.account_id), amount: -reserved },
        { account: available, amount: refunded },
        ...(split ? splitPostings(split, device) : [{ account: LEDGER.revenue, amount: charged }]),
      ]);
      await tx.run(
        `UPDATE requests SET state = ?, charged = ?, shortfall = ?, prompt_tokens = ?, completion_tokens = ?,
           provider_id = ?, settled_at = ?, provider_account_id = ?, provider_earned = ?, platform_fee = ?,
           referrer_account_id = ?, referral_earned = ?, provider_device = ? WHERE request_id = ?`,
        [
          input.outcome,
          charged,
          shortfall,
          input.promptTokens,
          input.completionTokens,
          input.providerId,
          this.now(),
          split?.providerAccountId ?? null,
          split?.providerMicros ?? null,
          split?.platformFeeMicros ?? null,
          split?.referrerAccountId ?? null,
          split?.referralMicros ?? null,
          device,
          input.requestId,
        ],
      );
      return { chargedMicros: charged, refundedMicros: refunded, shortfallMicros: shortfall, replay: false };
    });
  }

  async recordDelivery(input: DeliveryInput): Promise<void> {
    await this.db.run(
      `UPDATE requests SET delivered_prompt_tokens = ?, delivered_completion_tokens = ?, delivered_at = ?, provider_id = ?,
         provider_account_id = ? WHERE request_id = ? AND state = 'reserved'`,
      [input.promptTokens, input.completionTokens, this.now(), input.providerId, input.providerAccountId ?? null, input.requestId],
    );
  }

  async heldReservations(createdBefore: number, limit: number): Promise<HeldReservation[]> {
    const rows = await this.db.all<RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM requests WHERE state = 'reserved' AND created_at < ? ORDER BY created_at LIMIT ?`,
      [createdBefore, limit],
    );
    return rows.map(heldReservationOf);
  }

  async getRequest(requestId: string): Promise<RequestRecord | null> {
    const row = await this.requestRow(this.db, requestId);
    return row ? requestRecordOf(row) : null;
  }

  checkLedger(): Promise<LedgerCheck> {
    return checkLedger(this.db);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  private requestRow(ex: SqlExecutor, requestId: string): Promise<RequestRow | undefined> {
    return ex.get<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM requests WHERE request_id = ?`, [requestId]);
  }

  /** Writes one balanced entry and updates the cached balances. */
  private post(tx: SqlExecutor, kind: string, idempotencyKey: string, requestId: string | null, postings: Posting[]): Promise<void> {
    return postEntry(tx, { id: this.newId("le"), kind, idempotencyKey, requestId, createdAt: this.now() }, postings);
  }
}
