export type * from "./types.js";
export { StoreError } from "./types.js";
export type { SqlDatabase, SqlExecutor, SqlParam } from "./sql.js";
export { SqlStore, type SqlStoreDeps } from "./sql-store.js";
export { SqliteDatabase } from "./sqlite/driver.js";
export { MIGRATIONS, migrate } from "./migrations.js";
export { LEDGER } from "./ledger-codes.js";
export { openStore } from "./open.js";
export * from "./accounts/index.js";
