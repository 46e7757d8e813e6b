import pg from "pg";
import type { SqlDatabase, SqlExecutor, SqlParam } from "../sql.js";
import { Gate } from "./gate.js";
import { toPositional } from "./placeholders.js";
import { DEFAULT_RETRY, backoffMs, retryKind, type RetryPolicy } from "./retry.js";
import { storeTypeParsers } from "./values.js";

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database?…` (node-postgres connection string). */
  url: string;
  /** Pooled connections; transactions beyond it wait for a free one. */
  poolSize?: number;
  retry?: RetryPolicy;
  /** Write transactions this process runs at once (see the class comment). */
  concurrentTransactions?: number;
  /** An idle pooled connection failed (e.g. the server restarted); the pool drops it. */
  onIdleError?: (err: Error) => void;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_CONCURRENT_TRANSACTIONS = 1;

/**
 * node-postgres behind the async query layer. Plain calls autocommit on a pool and run in parallel.
 *
 * Transactions run at SERIALIZABLE and are re-run from the start when PostgreSQL aborts them for a
 * serialization conflict or a deadlock (see retry.ts), so the store's read-then-write logic cannot
 * lose an update, whichever process writes: several coordinators may share one database.
 * Within one process, write transactions queue (`concurrentTransactions`, default 1) instead of
 * racing: every settlement updates the shared platform revenue balance, so concurrent
 * SERIALIZABLE settlements from one process would mostly abort each other and be re-run (measured
 * here: hundreds of retries for 200 parallel settlements); queued, they never conflict in-process
 * and the retry path is left to other writers.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly retry: RetryPolicy;
  private readonly rewritten = new Map<string, { name: string; text: string }>();
  private readonly direct: SqlExecutor;
  private readonly gate: Gate;
  private closing: Promise<void> | undefined;
  /** Serialization failures retried so far (observability and tests). */
  retries = 0;

  constructor(opts: PostgresOptions) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.gate = new Gate(opts.concurrentTransactions ?? DEFAULT_CONCURRENT_TRANSACTIONS);
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? DEFAULT_POOL_SIZE,
      types: storeTypeParsers(),
      application_name: "darkbloom-coordinator",
      connectionTimeoutMillis: 10_000,
    });
    const onIdleError = opts.onIdleError ?? (() => {});
    // Without a listener an idle connection's error would crash the process.
    this.pool.on("error", (err) => onIdleError(err));
    this.direct = this.executor(this.pool);
  }

  /** The statement rewritten for PostgreSQL, named so each connection parses and plans it once. */
  private statement(text: string): { name: string; text: string } {
    let s = this.rewritten.get(text);
    if (s === undefined) {
      s = { name: `darkbloom_${this.rewritten.size + 1}`, text: toPositional(text) };
      this.rewritten.set(text, s);
    }
    return s;
  }

  private executor(q: pg.Pool | pg.PoolClient): SqlExecutor {
    const query = <T>(text: string, params: readonly SqlParam[] = []) =>
      q.query<pg.QueryResultRow & T>({ ...this.statement(text), values: params as SqlParam[] });
    return {
      run: async (text, params) => (await query(text, params)).rowCount ?? 0,
      get: async <T>(text: string, params?: readonly SqlParam[]) => (await query<T>(text, params)).rows[0] as T | undefined,
      all: async <T>(text: string, params?: readonly SqlParam[]) => (await query<T>(text, params)).rows as T[],
    };
  }


  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.gate.run(() => this.attempts(fn));
  }

  private async attempts<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      // A connection lost mid-transaction fails the pending query; without a listener its 'error'
      // event would also crash the process.
      const ignore = () => {};
      client.on("error", ignore);
      let broken: Error | undefined;
      try {
        await client.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
        const result = await fn(this.executor(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackErr) {
          // The connection is unusable; destroy it rather than hand it to the next caller.
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
        const kind = retryKind(err);
        if (kind === null || attempt >= (kind === "unique" ? this.retry.maxUniqueAttempts : this.retry.maxAttempts)) throw err;
      } finally {
        client.off("error", ignore);
        client.release(broken);
      }
      this.retries++;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(this.retry, attempt)));
    }
  }

  /**
   * Runs `fn` while holding a PostgreSQL advisory lock on a connection of its own (e.g. migrations:
   * coordinators starting together on one database apply them one after the other).
   */
  async withExclusiveLock<T>(key: number, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const ignore = () => {};
    client.on("error", ignore);
    try {
      await client.query("SELECT pg_advisory_lock($1)", [key]);
      try {
        return await fn();
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [key]);
      }
    } finally {
      client.off("error", ignore);
      client.release();
    }
  }

  close(): Promise<void> {
    return (this.closing ??= this.pool.end());
  }
}
