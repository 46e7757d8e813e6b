import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the durable store lives, resolved from DARKBLOOM_DATABASE_URL. */
export type DatabaseTarget =
  | { engine: "sqlite"; path: string }
  | { engine: "sqlite"; memory: true }
  /** `url` is passed to node-postgres as is; `display` is the same URL with the password masked (for logs). */
  | { engine: "postgres"; url: string; display: string };

export const DEFAULT_DATABASE_URL = "sqlite:./.darkbloom/coordinator.db";

export class DatabaseUrlError extends Error {
  override readonly name = "DatabaseUrlError";
}

/**
 * Accepts `sqlite:<path>`, `sqlite://<path>` (so `sqlite:///abs/db` is absolute), `file:` URLs,
 * `sqlite::memory:` / `:memory:` and plain file paths. Relative paths resolve against `cwd`.
 * `postgres://` and `postgresql://` URLs select the PostgreSQL engine.
 */
export function parseDatabaseUrl(url: string, cwd: string): DatabaseTarget {
  const trimmed = url.trim();
  if (trimmed === "") throw new DatabaseUrlError("is empty");
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return postgresTarget(trimmed);
  if (trimmed === ":memory:" || trimmed === "sqlite::memory:") return { engine: "sqlite", memory: true };
  let path: string;
  if (/^sqlite:\/\//i.test(trimmed)) path = trimmed.slice("sqlite://".length);
  else if (/^sqlite:/i.test(trimmed)) path = trimmed.slice("sqlite:".length);
  else if (/^file:/i.test(trimmed)) {
    try {
      path = fileURLToPath(trimmed);
    } catch {
      throw new DatabaseUrlError(`is not a valid file: URL`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new DatabaseUrlError(`has an unsupported scheme (${trimmed.split(":")[0]}); use sqlite:<path>`);
  } else path = trimmed;
  if (path === "") throw new DatabaseUrlError("has no file path");
  return { engine: "sqlite", path: isAbsolute(path) ? path : resolve(cwd, path) };
}

function postgresTarget(url: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the URL: it may carry a password.
    throw new DatabaseUrlError("is not a valid postgres:// URL (postgres://user[:password]@host[:port]/database)");
  }
  if (parsed.hostname === "" && !parsed.searchParams.has("host")) throw new DatabaseUrlError("has no host (postgres://user@host:5432/database)");
  if (parsed.password !== "") parsed.password = "***";
  return { engine: "postgres", url, display: parsed.toString() };
}

/** Where the store lives, for logs: a path, `:memory:`, or the PostgreSQL URL without its password. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.engine === "postgres") return target.display;
  return "path" in target ? target.path : ":memory:";
}
