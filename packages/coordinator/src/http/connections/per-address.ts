/** `::ffff:1.2.3.4` and `1.2.3.4` are the same client. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (address === undefined || address.length === 0) return undefined;
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** Open connections per remote address, with a cap. Pure bookkeeping; the caller owns sockets. */
export class AddressCounter {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Counts a new connection from `address` unless it already holds `max`. */
  admit(address: string): boolean {
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return false;
    this.open.set(address, n + 1);
    return true;
  }

  release(address: string): void {
    const n = this.open.get(address) ?? 0;
    if (n <= 1) this.open.delete(address);
    else this.open.set(address, n - 1);
  }

  count(address: string): number {
    return this.open.get(address) ?? 0;
  }

  /** Addresses holding at least one connection. */
  get addresses(): number {
    return this.open.size;
  }
}
