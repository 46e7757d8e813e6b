/**
 * The small query layer every SQL engine implements. Statements use `?` placeholders (the
 * PostgreSQL engine rewrites them to `$n`), portable types (TEXT, BIGINT) and `ON CONFLICT` upserts.
 * Engines return BIGINT columns as JS numbers (safe: micro-USD balances stay far below 2^53).
 */
export type SqlParam = string | number | null;

export interface SqlExecutor {
  /** Executes a write; resolves to the number of rows changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  /** Runs several `;`-separated statements (migrations only). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one serializable write transaction: commit when it resolves, rollback when it
   * throws. Other calls on this database wait until it ends.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
