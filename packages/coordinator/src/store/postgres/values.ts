import pg from "pg";

/** PostgreSQL type OIDs the store reads: BIGINT (COUNT, columns) and NUMERIC (SUM of BIGINT). */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

export class UnsafeIntegerError extends RangeError {
  override readonly name = "UnsafeIntegerError";
}

/**
 * BIGINT as a JS number, refusing (not rounding) anything beyond 2^53: micro-USD balances stay far
 * below it (2^53 µUSD ≈ 9 billion USD), so an out-of-range value means corruption, not money.
 */
export function parseBigint(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UnsafeIntegerError(`BIGINT value ${text} is outside the safe integer range`);
  return n;
}

/** NUMERIC: whole values (the sums of BIGINT columns) are held to the same rule; fractions pass. */
export function parseNumeric(text: string): number {
  if (/^-?\d+$/.test(text)) return parseBigint(text);
  const n = Number(text);
  if (!Number.isFinite(n)) throw new UnsafeIntegerError(`NUMERIC value ${text} is not finite`);
  return n;
}

/** Per-pool type parsers (never the process-wide `pg.types`, which other code may share). */
export function storeTypeParsers(): pg.CustomTypesConfig {
  const overrides = new pg.TypeOverrides();
  overrides.setTypeParser(INT8_OID, "text", parseBigint);
  overrides.setTypeParser(NUMERIC_OID, "text", parseNumeric);
  return overrides;
}
