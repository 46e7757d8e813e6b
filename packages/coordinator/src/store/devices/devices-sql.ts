import type { LedgerWriter } from "../money-store.js";
import { LEDGER } from "../ledger-codes.js";
import { balanceOf } from "../ledger-sql.js";
import type { SqlDatabase, SqlExecutor } from "../sql.js";
import type {
  CreateCodeOutcome,
  DecideOutcome,
  DeviceCodeLimits,
  DeviceLink,
  DeviceStore,
  EarningsRow,
  NewDeviceCode,
  PollLimits,
  PollOutcome,
  ProviderTokenOwner,
} from "./types.js";

interface CodeRow {
  code_hash: string;
  identity_key: string;
  device_id: string;
  state: "pending" | "approved" | "denied" | "used";
  account_id: string | null;
  interval_ms: number;
  polls: number;
  last_poll_at: number | null;
  expires_at: number;
}

interface LinkRow {
  device_id: string;
  identity_key: string;
  account_id: string;
  linked_at: number;
}

const linkOf = (r: LinkRow): DeviceLink => ({ deviceId: r.device_id, identityKey: r.identity_key, accountId: r.account_id, linkedAt: Number(r.linked_at) });
const DAY_MS = 86_400_000;
/** Live account tokens per device; a newer login revokes the oldest beyond this. */
export const MAX_LIVE_TOKENS = 3;

/** Device codes, provider tokens and links on the portable query layer (every engine shares it). */
export class SqlDevices implements DeviceStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly ledger: LedgerWriter,
    private readonly now: () => number,
    private readonly newId: (prefix: string) => string,
  ) {}

  async createCode(code: NewDeviceCode, limits: DeviceCodeLimits): Promise<CreateCodeOutcome> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      // Spent codes stay until they expire: their proof_hash keeps refusing a replayed signed request.
      await tx.run(`DELETE FROM device_codes WHERE expires_at <= ?`, [now]);
      if (await tx.get(`SELECT 1 AS x FROM device_codes WHERE proof_hash = ?`, [code.proofHash])) return "replay" as const;
      if (await tx.get(`SELECT 1 AS x FROM device_codes WHERE user_code_hash = ?`, [code.userCodeHash])) return "user_code_taken" as const;
      const total = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM device_codes`);
      const mine = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM device_codes WHERE device_id = ? AND state <> 'used'`, [code.deviceId]);
      if (Number(total?.n ?? 0) >= limits.maxPending || Number(mine?.n ?? 0) >= limits.maxPerDevice) return "too_many" as const;
      await tx.run(
        `INSERT INTO device_codes (code_hash, user_code_hash, proof_hash, identity_key, device_id, client_name, state, account_id, interval_ms, polls, last_poll_at, expires_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, ?, 0, NULL, ?, ?)`,
        [code.codeHash, code.userCodeHash, code.proofHash, code.identityKey, code.deviceId, code.clientName, code.intervalMs, code.expiresAt, now],
      );
      return "created" as const;
    });
  }

  async poll(codeHash: string, token: { tokenId: string; tokenHash: string }, limits: PollLimits): Promise<PollOutcome> {
    const now = this.now();
    return this.db.transaction(async (tx): Promise<PollOutcome> => {
      const row = await tx.get<CodeRow>(
        `SELECT code_hash, identity_key, device_id, state, account_id, interval_ms, polls, last_poll_at, expires_at FROM device_codes WHERE code_hash = ?`,
        [codeHash],
      );
      if (!row || row.state === "used") return { kind: "unknown" };
      const polls = Number(row.polls) + 1;
      if (now >= Number(row.expires_at) || polls > limits.maxPolls) {
        await tx.run(`DELETE FROM device_codes WHERE code_hash = ?`, [codeHash]);
        return { kind: "expired" };
      }
      if (row.state === "denied") {
        await tx.run(`DELETE FROM device_codes WHERE code_hash = ?`, [codeHash]);
        return { kind: "denied" };
      }
      if (row.state === "approved" && row.account_id !== null) {
        await tx.run(`UPDATE device_codes SET state = 'used', polls = ?, last_poll_at = ? WHERE code_hash = ?`, [polls, now, codeHash]);
        await tx.run(
          `INSERT INTO provider_tokens (id, token_hash, account_id, device_id, identity_key, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)`,
          [token.tokenId, token.tokenHash, row.account_id, row.device_id, row.identity_key, now],
        );
        // At most MAX_LIVE_TOKENS per device (repeated logins): the oldest stop working.
        await tx.run(
          `UPDATE provider_tokens SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL AND id NOT IN
             (SELECT id FROM provider_tokens WHERE device_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ${MAX_LIVE_TOKENS})`,
          [now, row.device_id, row.device_id],
        );
        return { kind: "issued", accountId: row.account_id, deviceId: row.device_id };
      }
      const interval = Number(row.interval_ms);
      const tooSoon = row.last_poll_at !== null && now - Number(row.last_poll_at) < interval;
      const nextInterval = tooSoon ? interval + limits.slowDownStepMs : interval;
      await tx.run(`UPDATE device_codes SET polls = ?, last_poll_at = ?, interval_ms = ? WHERE code_hash = ?`, [polls, now, nextInterval, codeHash]);
      return tooSoon ? { kind: "slow_down", intervalMs: nextInterval } : { kind: "pending", intervalMs: interval };
    });
  }

  async decide(userCodeHash: string, accountId: string, approve: boolean): Promise<DecideOutcome> {
    const now = this.now();
    return this.db.transaction(async (tx): Promise<DecideOutcome> => {
      const row = await tx.get<CodeRow>(
        `SELECT code_hash, identity_key, device_id, state, account_id, interval_ms, polls, last_poll_at, expires_at FROM device_codes WHERE user_code_hash = ?`,
        [userCodeHash],
      );
      if (!row) return { kind: "unknown" };
      if (now >= Number(row.expires_at)) return { kind: "expired" };
      if (row.state !== "pending") return { kind: "already_decided" };
      await tx.run(`UPDATE device_codes SET state = ?, account_id = ? WHERE code_hash = ?`, [approve ? "approved" : "denied", accountId, row.code_hash]);
      if (!approve) return { kind: "ok", deviceId: row.device_id, movedMicros: 0 };
      const moved = await this.linkIn(tx, { deviceId: row.device_id, identityKey: row.identity_key, accountId }, now);
      return { kind: "ok", deviceId: row.device_id, movedMicros: moved };
    });
  }

  async link(link: Omit<DeviceLink, "linkedAt">): Promise<{ movedMicros: number }> {
    const now = this.now();
    return this.db.transaction(async (tx) => ({ movedMicros: await this.linkIn(tx, link, now) }));
  }

  async linkOf(deviceId: string): Promise<DeviceLink | null> {
    const row = await this.db.get<LinkRow>(`SELECT device_id, identity_key, account_id, linked_at FROM provider_links WHERE device_id = ?`, [deviceId]);
    return row ? linkOf(row) : null;
  }

  async linksOf(accountId: string, limit: number): Promise<DeviceLink[]> {
    const rows = await this.db.all<LinkRow>(
      `SELECT device_id, identity_key, account_id, linked_at FROM provider_links WHERE account_id = ? ORDER BY linked_at, device_id LIMIT ?`,
      [accountId, limit],
    );
    return rows.map(linkOf);
  }

  async tokenOwner(tokenHash: string): Promise<ProviderTokenOwner | null> {
    const row = await this.db.get<{ id: string; account_id: string; device_id: string; identity_key: string; revoked_at: number | null }>(
      `SELECT id, account_id, device_id, identity_key, revoked_at FROM provider_tokens WHERE token_hash = ?`,
      [tokenHash],
    );
    if (!row || row.revoked_at !== null) return null;
    return { tokenId: row.id, accountId: row.account_id, deviceId: row.device_id, identityKey: row.identity_key };
  }

  async revokeToken(tokenHash: string): Promise<boolean> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      const row = await tx.get<{ id: string; account_id: string; device_id: string }>(
        `SELECT id, account_id, device_id FROM provider_tokens WHERE token_hash = ? AND revoked_at IS NULL`,
        [tokenHash],
      );
      if (!row) return false;
      await tx.run(`UPDATE provider_tokens SET revoked_at = ? WHERE id = ?`, [now, row.id]);
      await tx.run(`DELETE FROM provider_links WHERE device_id = ? AND account_id = ?`, [row.device_id, row.account_id]);
      return true;
    });
  }

  async earnings(accountId: string, sinceMs: number): Promise<EarningsRow[]> {
    const rows = await this.db.all<{ provider_id: string; day: number; earned: number | null; n: number; tokens: number | null }>(
      `SELECT provider_id, settled_at / ${DAY_MS} AS day, SUM(provider_earned) AS earned, COUNT(*) AS n, SUM(completion_tokens) AS tokens
         FROM requests
        WHERE state <> 'reserved' AND provider_id IS NOT NULL AND settled_at >= ?
          AND (provider_account_id = ? OR provider_device IN (SELECT device_id FROM provider_links WHERE account_id = ?))
        GROUP BY provider_id, settled_at / ${DAY_MS}
        ORDER BY day, provider_id`,
      [sinceMs, accountId, accountId],
    );
    return rows.map((r) => ({
      providerId: r.provider_id,
      day: Number(r.day),
      earnedMicros: Number(r.earned ?? 0),
      requests: Number(r.n),
      completionTokens: Number(r.tokens ?? 0),
    }));
  }

  pendingEarnings(deviceId: string): Promise<number> {
    return balanceOf(this.db, LEDGER.device(deviceId));
  }

  /** Upserts the link and moves the device's own earnings to the account, in the caller's transaction. */
  private async linkIn(tx: SqlExecutor, link: Omit<DeviceLink, "linkedAt">, now: number): Promise<number> {
    const previous = await tx.get<LinkRow>(`SELECT device_id, identity_key, account_id, linked_at FROM provider_links WHERE device_id = ?`, [link.deviceId]);
    if (previous && previous.account_id !== link.accountId) {
      // Moving to another account: tokens issued for the old one stop working.
      await tx.run(`UPDATE provider_tokens SET revoked_at = ? WHERE device_id = ? AND account_id <> ? AND revoked_at IS NULL`, [now, link.deviceId, link.accountId]);
    }
    if (!previous || previous.account_id !== link.accountId || previous.identity_key !== link.identityKey) {
      await tx.run(
        `INSERT INTO provider_links (device_id, identity_key, account_id, linked_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (device_id) DO UPDATE SET identity_key = excluded.identity_key, account_id = excluded.account_id, linked_at = excluded.linked_at`,
        [link.deviceId, link.identityKey, link.accountId, now],
      );
    }
    const code = LEDGER.device(link.deviceId);
    const pending = await balanceOf(tx, code);
    if (pending <= 0) return 0;
    await this.ledger.post(tx, "provider_link", `provider-link:${link.deviceId}:${this.newId("mv")}`, null, [
      { account: code, amount: -pending },
      { account: LEDGER.earnings(link.accountId), amount: pending },
    ]);
    return pending;
  }
}

/**
 * Where an unlinked provider's share of a settled charge goes: its device's linked account (the
 * link may be newer than its connection), else the device's own earnings account, else (a
 * provider id that names no device) the platform's unclaimed pool.
 */
export async function unlinkedEarningsTarget(tx: SqlExecutor, deviceId: string | null): Promise<{ accountId: string } | { deviceId: string } | null> {
  if (deviceId === null) return null;
  const link = await tx.get<{ account_id: string }>(`SELECT account_id FROM provider_links WHERE device_id = ?`, [deviceId]);
  return link ? { accountId: link.account_id } : { deviceId };
}
