import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { SqlDatabase, SqlExecutor, SqlParam } from "../sql.js";

export type SqliteTarget = { path: string } | { memory: true };

/**
 * better-sqlite3 behind the async query layer. Calls run synchronously on one connection; a
 * transaction holds a lock so other callers wait instead of interleaving into it.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Resolves when the current transaction ends; undefined when none is open. */
  private txTail: Promise<void> | undefined;

  constructor(target: SqliteTarget) {
    const fresh = "path" in target && !existsSync(target.path);
    if ("path" in target) mkdirSync(dirname(target.path), { recursive: true, mode: 0o700 });
    this.db = new Database("path" in target ? target.path : ":memory:");
    // Balances and key hashes: readable by the service user only.
    if (fresh && "path" in target) chmodSync(target.path, 0o600);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private readonly direct: SqlExecutor = {
    run: async (sql, params = []) => this.stmt(sql).run(...(params as SqlParam[])).changes,
    get: async <T>(sql: string, params: readonly SqlParam[] = []) =>
      this.stmt(sql).get(...(params as SqlParam[])) as T | undefined,
    all: async <T>(sql: string, params: readonly SqlParam[] = []) => this.stmt(sql).all(...(params as SqlParam[])) as T[],
  };


  async run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    while (this.txTail) await this.txTail;
    return this.direct.run(sql, params);
  }

  async get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined> {
    while (this.txTail) await this.txTail;
    return this.direct.get<T>(sql, params);
  }

  async all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    while (this.txTail) await this.txTail;
    return this.direct.all<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    while (this.txTail) await this.txTail;
    this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    // No await between this loop's exit and claiming the lock, so two waiters cannot both enter.
    while (this.txTail) await this.txTail;
    let release!: () => void;
    this.txTail = new Promise<void>((r) => (release = r));
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this.direct);
        this.db.exec("COMMIT");
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw err;
      }
    } finally {
      this.txTail = undefined;
      release();
    }
  }

  async close(): Promise<void> {
    while (this.txTail) await this.txTail;
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
