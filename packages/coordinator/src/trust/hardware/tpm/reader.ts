/** Big-endian reader for TPM 2.0 marshalled structures; every read is bounds-checked. */
export class TpmReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(n: number): Uint8Array {
    if (n > this.remaining) throw new TpmParseError(`truncated: wanted ${n} bytes, ${this.remaining} left`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(): number {
    return this.take(1)[0]!;
  }

  u16(): number {
    const b = this.take(2);
    return (b[0]! << 8) | b[1]!;
  }

  u32(): number {
    const b = this.take(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  u64(): bigint {
    const hi = BigInt(this.u32());
    return (hi << 32n) | BigInt(this.u32());
  }

  bytesN(n: number): Uint8Array {
    return this.take(n);
  }

  /** A TPM2B: UINT16 size then that many bytes. */
  tpm2b(): Uint8Array {
    return this.take(this.u16());
  }

  /** Refuses trailing bytes (a structure must be exactly what was signed). */
  end(what: string): void {
    if (this.remaining !== 0) throw new TpmParseError(`${what}: ${this.remaining} trailing bytes`);
  }
}

export class TpmParseError extends Error {
  override readonly name = "TpmParseError";
}

export function u16be(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

export function u32be(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A TPM2B: UINT16 size prefix then the bytes. */
export function tpm2b(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw new RangeError("TPM2B too large");
  return concat(u16be(bytes.length), bytes);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
