import type { DatabaseTarget } from "../config/index.js";
import { migrate } from "./migrations.js";
import { SqlStore, type SqlStoreDeps } from "./sql-store.js";
import { SqliteDatabase } from "./sqlite/driver.js";
import type { Store } from "./types.js";

/** Opens the engine named by the target and brings its schema up to date. */
export async function openStore(target: DatabaseTarget, deps: SqlStoreDeps = {}): Promise<Store> {
  const db = new SqliteDatabase("memory" in target ? { memory: true } : { path: target.path });
  try {
    await migrate(db, deps.now ?? Date.now);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new SqlStore(db, deps);
}
