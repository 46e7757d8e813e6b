import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the tests and benchmarks use: DARKBLOOM_TEST_POSTGRES_URL, else the local one. */
export const DEFAULT_TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export function testPostgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DARKBLOOM_TEST_POSTGRES_URL;
  return url !== undefined && url !== "" ? url : DEFAULT_TEST_POSTGRES_URL;
}

/**
 * Null when a PostgreSQL server answers at `adminUrl`, else why not (for a skip message). With
 * DARKBLOOM_TEST_POSTGRES_REQUIRED=1 (set by .ci/run) an unreachable server is an error instead.
 */
export async function postgresUnavailable(adminUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (err) {
    const reason = `no PostgreSQL server reachable at ${redact(adminUrl)} (${err instanceof Error ? err.message : String(err)}); set DARKBLOOM_TEST_POSTGRES_URL or start one`;
    if (env.DARKBLOOM_TEST_POSTGRES_REQUIRED === "1") throw new Error(`${reason} — DARKBLOOM_TEST_POSTGRES_REQUIRED=1`);
    return reason;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ThrowawayDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** A URL whose connections use their own new schema: a fresh, empty store in the same database. */
  freshSchemaUrl(): Promise<string>;
  /** Drops the database, disconnecting whoever still uses it. Idempotent. */
  drop(): Promise<void>;
}

/** Creates a uniquely named database on the server at `adminUrl` (tests and benchmarks only). */
export async function createThrowawayDatabase(adminUrl: string, prefix = "darkbloom_test"): Promise<ThrowawayDatabase> {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) throw new RangeError("prefix must be a short lowercase identifier");
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = withDatabase(adminUrl, name);
  let schemas = 0;
  let dropped: Promise<void> | undefined;
  return {
    url,
    name,
    async freshSchemaUrl() {
      const schema = `s${++schemas}_${randomBytes(3).toString("hex")}`;
      await withClient(url, (c) => c.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`));
      const u = new URL(url);
      u.searchParams.set("options", `-c search_path=${schema}`);
      return u.toString();
    },
    drop: () =>
      (dropped ??= withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)).then(() => {})),
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "(an invalid URL)";
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
