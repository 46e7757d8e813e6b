import type { SqlDatabase, SqlExecutor } from "./sql.js";
import { LEDGER, assertMicros, type Posting } from "./ledger-codes.js";
import { balanceOf } from "./ledger-sql.js";
import type { Earnings, InviteRecord, ModelPriceRecord, RedeemResult, WithdrawalRecord, WithdrawalState } from "./types.js";

/** How SqlStore posts an entry (it owns entry ids and the clock), lent to the money queries. */
export interface LedgerWriter {
  post(tx: SqlExecutor, kind: string, idempotencyKey: string, requestId: string | null, postings: Posting[]): Promise<void>;
}

const PLATFORM_SCOPE = "platform";
const scopeOf = (ownerAccountId: string | null) => (ownerAccountId === null ? PLATFORM_SCOPE : `account:${ownerAccountId}`);

interface PriceRow {
  scope: string;
  model: string;
  input_per_million: number;
  output_per_million: number;
}

interface InviteRow {
  code: string;
  amount: number;
  max_uses: number;
  uses: number;
  expires_at: number | null;
  created_at: number;
}

const inviteOf = (r: InviteRow): InviteRecord => ({
  code: r.code,
  amountMicros: Number(r.amount),
  maxUses: Number(r.max_uses),
  uses: Number(r.uses),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  createdAt: Number(r.created_at),
});

/** Prices, invites and payouts on the portable query layer (every engine shares it). */
export class MoneyQueries {
  constructor(
    private readonly db: SqlDatabase,
    private readonly ledger: LedgerWriter,
    private readonly now: () => number,
  ) {}

  async setModelPrice(p: ModelPriceRecord): Promise<void> {
    assertMicros("inputPerMillion", p.inputPerMillion);
    assertMicros("outputPerMillion", p.outputPerMillion);
    await this.db.run(
      `INSERT INTO model_prices (scope, model, input_per_million, output_per_million, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scope, model) DO UPDATE SET input_per_million = excluded.input_per_million,
           output_per_million = excluded.output_per_million, updated_at = excluded.updated_at`,
      [scopeOf(p.ownerAccountId), p.model, p.inputPerMillion, p.outputPerMillion, this.now()],
    );
  }

  async deleteModelPrice(ownerAccountId: string | null, model: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM model_prices WHERE scope = ? AND model = ?`, [scopeOf(ownerAccountId), model])) > 0;
  }

  async listModelPrices(): Promise<ModelPriceRecord[]> {
    const rows = await this.db.all<PriceRow>(`SELECT scope, model, input_per_million, output_per_million FROM model_prices ORDER BY scope, model`);
    return rows.map((r) => ({
      ownerAccountId: r.scope === PLATFORM_SCOPE ? null : r.scope.slice("account:".length),
      model: r.model,
      inputPerMillion: Number(r.input_per_million),
      outputPerMillion: Number(r.output_per_million),
    }));
  }

  async createInvite(input: { code: string; amountMicros: number; maxUses: number; expiresAt: number | null }): Promise<InviteRecord> {
    assertMicros("amountMicros", input.amountMicros);
    if (!Number.isSafeInteger(input.maxUses) || input.maxUses < 1) throw new RangeError("maxUses must be a positive integer");
    const createdAt = this.now();
    await this.db.run(`INSERT INTO invites (code, amount, max_uses, uses, expires_at, created_at) VALUES (?, ?, ?, 0, ?, ?)`, [
      input.code,
      input.amountMicros,
      input.maxUses,
      input.expiresAt,
      createdAt,
    ]);
    return { ...input, uses: 0, createdAt };
  }

  async redeemInvite(code: string, accountId: string): Promise<RedeemResult> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get<InviteRow>(`SELECT code, amount, max_uses, uses, expires_at, created_at FROM invites WHERE code = ?`, [code]);
      if (!row) return { ok: false, reason: "not_found" };
      const invite = inviteOf(row);
      const done = await tx.get(`SELECT 1 AS x FROM invite_redemptions WHERE code = ? AND account_id = ?`, [code, accountId]);
      if (done) return { ok: true, amountMicros: invite.amountMicros, replay: true };
      if (invite.expiresAt !== null && this.now() >= invite.expiresAt) return { ok: false, reason: "expired" };
      if (invite.uses >= invite.maxUses) return { ok: false, reason: "exhausted" };
      await tx.run(`INSERT INTO invite_redemptions (code, account_id, created_at) VALUES (?, ?, ?)`, [code, accountId, this.now()]);
      await tx.run(`UPDATE invites SET uses = uses + 1 WHERE code = ?`, [code]);
      await this.ledger.post(tx, "invite", `invite:${code}:${accountId}`, null, [
        { account: LEDGER.funding, amount: -invite.amountMicros },
        { account: LEDGER.available(accountId), amount: invite.amountMicros },
      ]);
      return { ok: true, amountMicros: invite.amountMicros, replay: false };
    });
  }

  async getEarnings(accountId: string): Promise<Earnings> {
    return {
      earningsMicros: await balanceOf(this.db, LEDGER.earnings(accountId)),
      referralMicros: await balanceOf(this.db, LEDGER.referral(accountId)),
    };
  }

  async setPayoutAccount(accountId: string, stripeAccountId: string): Promise<void> {
    await this.db.run(
      `INSERT INTO payout_accounts (account_id, stripe_account_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET stripe_account_id = excluded.stripe_account_id`,
      [accountId, stripeAccountId, this.now()],
    );
  }

  async getPayoutAccount(accountId: string): Promise<string | null> {
    const row = await this.db.get<{ stripe_account_id: string }>(`SELECT stripe_account_id FROM payout_accounts WHERE account_id = ?`, [accountId]);
    return row?.stripe_account_id ?? null;
  }

  async startWithdrawal(input: { id: string; accountId: string; amountMicros: number }): Promise<{ ok: true } | { ok: false; availableMicros: number }> {
    assertMicros("amountMicros", input.amountMicros);
    return this.db.transaction(async (tx) => {
      const earningsCode = LEDGER.earnings(input.accountId);
      const referralCode = LEDGER.referral(input.accountId);
      const earnings = await balanceOf(tx, earningsCode);
      const referral = await balanceOf(tx, referralCode);
      if (earnings + referral < input.amountMicros) return { ok: false, availableMicros: earnings + referral };
      const fromEarnings = Math.min(earnings, input.amountMicros);
      const now = this.now();
      await tx.run(`INSERT INTO withdrawals (id, account_id, amount, state, transfer_id, created_at, updated_at) VALUES (?, ?, ?, 'pending', NULL, ?, ?)`, [
        input.id,
        input.accountId,
        input.amountMicros,
        now,
        now,
      ]);
      await this.ledger.post(tx, "withdrawal", `withdrawal:${input.id}`, null, [
        { account: earningsCode, amount: -fromEarnings },
        { account: referralCode, amount: -(input.amountMicros - fromEarnings) },
        { account: LEDGER.payouts, amount: input.amountMicros },
      ]);
      return { ok: true };
    });
  }

  async completeWithdrawal(id: string, transferId: string): Promise<void> {
    await this.db.run(`UPDATE withdrawals SET state = 'paid', transfer_id = ?, updated_at = ? WHERE id = ? AND state = 'pending'`, [transferId, this.now(), id]);
  }

  async failWithdrawal(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const changed = await tx.run(`UPDATE withdrawals SET state = 'failed', updated_at = ? WHERE id = ? AND state = 'pending'`, [this.now(), id]);
      if (changed === 0) return;
      // Reverse the withdrawal entry posting by posting.
      const postings = await tx.all<{ account_code: string; amount: number }>(
        `SELECT p.account_code, p.amount FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id WHERE e.idempotency_key = ?`,
        [`withdrawal:${id}`],
      );
      await this.ledger.post(
        tx,
        "withdrawal_reversal",
        `withdrawal-reversal:${id}`,
        null,
        postings.map((p) => ({ account: p.account_code, amount: -Number(p.amount) })),
      );
    });
  }

  async getWithdrawal(id: string): Promise<WithdrawalRecord | null> {
    const row = await this.db.get<{ id: string; account_id: string; amount: number; state: WithdrawalState; transfer_id: string | null }>(
      `SELECT id, account_id, amount, state, transfer_id FROM withdrawals WHERE id = ?`,
      [id],
    );
    return row ? { id: row.id, accountId: row.account_id, amountMicros: Number(row.amount), state: row.state, transferId: row.transfer_id } : null;
  }
}
