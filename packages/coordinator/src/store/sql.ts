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
   * throws. SQLite: other calls on this database wait until it ends. PostgreSQL: transactions run
   * concurrently at SERIALIZABLE and one that loses a conflict is rolled back and `fn` runs again,
   * so `fn` may run more than once: it must have no effects outside `tx` (and must not use the
   * database's own run/get/all, which bypass the transaction).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
