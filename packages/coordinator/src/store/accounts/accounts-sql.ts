import type { SqlDatabase, SqlExecutor } from "../sql.js";
import { newReferralCode } from "./codes.js";
import {
  EmailTakenError,
  type AccountStore,
  type AdminAccountRow,
  type OidcIdentity,
  type SessionRecord,
  type UserAccount,
} from "./types.js";

export interface SubStoreDeps {
  now: () => number;
  newId: (prefix: string) => string;
  /** Referral code source (tests may make it collide). */
  referralCode?: () => string;
}

interface AccountRow {
  id: string;
  email: string | null;
  referral_code: string | null;
  referred_by: string | null;
  created_at: number;
  closed_at: number | null;
}

interface SessionRow {
  id: string;
  account_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

const ACCOUNT_COLUMNS = `id, email, referral_code, referred_by, created_at, closed_at`;
const num = (v: number | null): number | null => (v === null ? null : Number(v));

const accountOf = (r: AccountRow): UserAccount => ({
  id: r.id,
  email: r.email,
  referralCode: r.referral_code,
  referredBy: r.referred_by,
  createdAt: Number(r.created_at),
  closedAt: num(r.closed_at),
});

const sessionOf = (r: SessionRow): SessionRecord => ({
  id: r.id,
  accountId: r.account_id,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  revokedAt: num(r.revoked_at),
});

/** Accounts, sessions, identities and secrets on the portable query layer. */
export class SqlAccounts implements AccountStore {
  private readonly referralCode: () => string;

  constructor(
    private readonly db: SqlDatabase,
    private readonly deps: SubStoreDeps,
  ) {
    this.referralCode = deps.referralCode ?? newReferralCode;
  }

  async createUser(input: { email: string; passwordHash: string; referredBy: string | null }): Promise<UserAccount> {
    return this.db.transaction(async (tx) => {
      if (await tx.get(`SELECT 1 AS x FROM accounts WHERE email = ?`, [input.email])) throw new EmailTakenError("email already registered");
      return this.insertAccount(tx, { label: "user", email: input.email, passwordHash: input.passwordHash, referredBy: input.referredBy });
    });
  }

  async getUser(id: string): Promise<UserAccount | null> {
    const row = await this.db.get<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`, [id]);
    return row ? accountOf(row) : null;
  }

  async findLogin(email: string): Promise<{ account: UserAccount; passwordHash: string } | null> {
    const row = await this.db.get<AccountRow & { password_hash: string | null }>(
      `SELECT ${ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE email = ? AND closed_at IS NULL`,
      [email],
    );
    return row && row.password_hash !== null ? { account: accountOf(row), passwordHash: row.password_hash } : null;
  }

  async findByReferralCode(code: string): Promise<UserAccount | null> {
    const row = await this.db.get<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE referral_code = ? AND closed_at IS NULL`, [code]);
    return row ? accountOf(row) : null;
  }

  async referrerOf(accountId: string): Promise<string | null> {
    const row = await this.db.get<{ referred_by: string | null }>(`SELECT referred_by FROM accounts WHERE id = ?`, [accountId]);
    return row?.referred_by ?? null;
  }

  async accountForIdentity(identity: OidcIdentity): Promise<UserAccount> {
    return this.db.transaction(async (tx) => {
      const linked = await tx.get<AccountRow>(
        `SELECT a.id, a.email, a.referral_code, a.referred_by, a.created_at, a.closed_at
           FROM oidc_identities i JOIN accounts a ON a.id = i.account_id WHERE i.issuer = ? AND i.subject = ?`,
        [identity.issuer, identity.subject],
      );
      if (linked) return accountOf(linked);
      const account = await this.insertAccount(tx, { label: "oidc", email: null, passwordHash: null, referredBy: null });
      await tx.run(`INSERT INTO oidc_identities (issuer, subject, account_id, created_at) VALUES (?, ?, ?, ?)`, [
        identity.issuer,
        identity.subject,
        account.id,
        account.createdAt,
      ]);
      return account;
    });
  }

  async createSession(input: { accountId: string; expiresAt: number }): Promise<SessionRecord> {
    const rec: SessionRecord = { id: this.deps.newId("sess"), accountId: input.accountId, createdAt: this.deps.now(), expiresAt: input.expiresAt, revokedAt: null };
    await this.db.run(`INSERT INTO sessions (id, account_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, NULL)`, [
      rec.id,
      rec.accountId,
      rec.createdAt,
      rec.expiresAt,
    ]);
    return rec;
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const row = await this.db.get<SessionRow>(`SELECT id, account_id, created_at, expires_at, revoked_at FROM sessions WHERE id = ?`, [id]);
    return row ? sessionOf(row) : null;
  }

  async revokeSession(id: string): Promise<boolean> {
    return (await this.db.run(`UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, [this.deps.now(), id])) > 0;
  }

  async eraseAccount(id: string): Promise<void> {
    const now = this.deps.now();
    await this.db.transaction(async (tx) => {
      await tx.run(`UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL`, [now, id]);
      await tx.run(`UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL`, [now, id]);
      await tx.run(`DELETE FROM oidc_identities WHERE account_id = ?`, [id]);
      await tx.run(
        `UPDATE accounts SET email = NULL, password_hash = NULL, label = '', referral_code = NULL, referred_by = NULL,
           closed_at = COALESCE(closed_at, ?) WHERE id = ?`,
        [now, id],
      );
    });
  }

  async secret(name: string, generate: () => string): Promise<string> {
    await this.db.run(`INSERT INTO coordinator_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`, [
      name,
      generate(),
      this.deps.now(),
    ]);
    const row = await this.db.get<{ value: string }>(`SELECT value FROM coordinator_secrets WHERE name = ?`, [name]);
    if (!row) throw new Error(`secret ${name} vanished`);
    return row.value;
  }

  async listAccounts(input: { limit: number; before?: { createdAt: number; id: string } }): Promise<AdminAccountRow[]> {
    const where = input.before ? `WHERE a.created_at < ? OR (a.created_at = ? AND a.id < ?)` : ``;
    const params = input.before ? [input.before.createdAt, input.before.createdAt, input.before.id] : [];
    const rows = await this.db.all<{
      id: string;
      email: string | null;
      label: string;
      created_at: number;
      closed_at: number | null;
      active_keys: number;
      available: number | null;
      held: number | null;
    }>(
      `SELECT a.id, a.email, a.label, a.created_at, a.closed_at,
          (SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) AS active_keys,
          (SELECT la.balance FROM ledger_accounts la WHERE la.code = 'user:' || a.id || ':available') AS available,
          (SELECT lh.balance FROM ledger_accounts lh WHERE lh.code = 'user:' || a.id || ':held') AS held
        FROM accounts a ${where} ORDER BY a.created_at DESC, a.id DESC LIMIT ?`,
      [...params, input.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      label: r.label,
      createdAt: Number(r.created_at),
      closedAt: num(r.closed_at),
      activeKeys: Number(r.active_keys),
      availableMicros: Number(r.available ?? 0),
      heldMicros: Number(r.held ?? 0),
    }));
  }

  /** Inserts an account with a referral code no other account has (retrying the rare collision). */
  private async insertAccount(
    tx: SqlExecutor,
    input: { label: string; email: string | null; passwordHash: string | null; referredBy: string | null },
  ): Promise<UserAccount> {
    let code = this.referralCode();
    for (let i = 0; (await tx.get(`SELECT 1 AS x FROM accounts WHERE referral_code = ?`, [code])) !== undefined; i++) {
      if (i >= 8) throw new Error("could not find a free referral code");
      code = this.referralCode();
    }
    const account: UserAccount = {
      id: this.deps.newId("acct"),
      email: input.email,
      referralCode: code,
      referredBy: input.referredBy,
      createdAt: this.deps.now(),
      closedAt: null,
    };
    await tx.run(
      `INSERT INTO accounts (id, label, created_at, email, password_hash, referral_code, referred_by, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
      [account.id, input.label, account.createdAt, account.email, input.passwordHash, code, account.referredBy],
    );
    return account;
  }
}
