import type { DatabaseTarget } from "../config/index.js";
import { migrate } from "./migrations.js";
import { PostgresDatabase } from "./postgres/driver.js";
import type { SqlDatabase } from "./sql.js";
import { SqlStore, type SqlStoreDeps } from "./sql-store.js";
import { SqliteDatabase } from "./sqlite/driver.js";
import type { Store } from "./types.js";

export interface OpenStoreOptions extends SqlStoreDeps {
  /** PostgreSQL only: an idle pooled connection failed (the pool replaces it). */
  onDatabaseError?: (err: Error) => void;
}

/** Advisory lock id serializing migrations across coordinators sharing one PostgreSQL database. */
const MIGRATION_LOCK_KEY = 0x64_62_6c_6d; // "dblm"

/** The query-layer engine a target names (not yet migrated). */
export function openDatabase(target: DatabaseTarget, opts: OpenStoreOptions = {}): SqlDatabase {
  if (target.engine === "postgres") {
    return new PostgresDatabase({ url: target.url, ...(opts.onDatabaseError && { onIdleError: opts.onDatabaseError }) });
  }
  return new SqliteDatabase("memory" in target ? { memory: true } : { path: target.path });
}

/** Opens the engine named by the target and brings its schema up to date. */
export async function openStore(target: DatabaseTarget, deps: OpenStoreOptions = {}): Promise<Store> {
  const db = openDatabase(target, deps);
  const now = deps.now ?? Date.now;
  try {
    if (db instanceof PostgresDatabase) await db.withExclusiveLock(MIGRATION_LOCK_KEY, () => migrate(db, now));
    else await migrate(db, now);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new SqlStore(db, deps);
}
