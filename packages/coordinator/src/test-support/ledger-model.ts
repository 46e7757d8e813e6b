import type { SettledState } from "../store/types.js";

/** The ledger as the property test expects it, kept in plain memory beside the real store. */
export class LedgerModel {
  readonly accounts = new Map<string, { available: number; held: number }>();
  readonly requests = new Map<string, { accountId: string; reserved: number; state: "reserved" | SettledState; charged: number }>();
  readonly creditKeys = new Set<string>();
  credited = 0;
  revenue = 0;

  addAccount(id: string): void {
    this.accounts.set(id, { available: 0, held: 0 });
  }

  private acct(id: string) {
    const a = this.accounts.get(id);
    if (!a) throw new Error(`model: unknown account ${id}`);
    return a;
  }

  credit(accountId: string, key: string, amount: number): { replay: boolean } {
    if (this.creditKeys.has(key)) return { replay: true };
    this.creditKeys.add(key);
    this.acct(accountId).available += amount;
    this.credited += amount;
    return { replay: false };
  }

  /** Null when the request id is new and the balance cannot cover it. */
  reserve(requestId: string, accountId: string, amount: number): { reserved: number; replay: boolean } | null {
    const existing = this.requests.get(requestId);
    if (existing) return { reserved: existing.reserved, replay: true };
    const a = this.acct(accountId);
    if (a.available < amount) return null;
    a.available -= amount;
    a.held += amount;
    this.requests.set(requestId, { accountId, reserved: amount, state: "reserved", charged: 0 });
    return { reserved: amount, replay: false };
  }

  settle(requestId: string, charge: number, outcome: SettledState): { charged: number; refunded: number; replay: boolean } {
    const r = this.requests.get(requestId);
    if (!r) throw new Error(`model: unknown request ${requestId}`);
    if (r.state !== "reserved") return { charged: r.charged, refunded: r.reserved - r.charged, replay: true };
    const charged = Math.min(charge, r.reserved);
    const a = this.acct(r.accountId);
    a.held -= r.reserved;
    a.available += r.reserved - charged;
    this.revenue += charged;
    r.state = outcome;
    r.charged = charged;
    return { charged, refunded: r.reserved - charged, replay: false };
  }

  open(): string[] {
    return [...this.requests].filter(([, r]) => r.state === "reserved").map(([id]) => id);
  }

  settled(): string[] {
    return [...this.requests].filter(([, r]) => r.state !== "reserved").map(([id]) => id);
  }
}
