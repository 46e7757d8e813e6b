import type { z } from "zod";
import { parseDatabaseUrl, DatabaseUrlError, type DatabaseTarget } from "./database-url.js";
import {
  ConfigSchema,
  ENV_NAMES,
  checkRelations,
  type CoordinatorConfig,
  type CoordinatorConfigInput,
} from "./schema.js";

/** A configuration problem; `message` is one line naming the offending variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable} ${detail}`);
  }
}

export interface ResolvedConfig extends CoordinatorConfig {
  database: DatabaseTarget;
}

function firstIssue(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const key = (issue?.path[0] ?? "config") as keyof CoordinatorConfig;
  const name = ENV_NAMES[key] ?? String(key);
  return new ConfigError(name, `is invalid: ${issue?.message ?? "invalid value"}`);
}

/** Validates programmatic input (tests, embedding) with the same rules as the environment. */
export function resolveConfig(input: CoordinatorConfigInput, cwd: string = process.cwd()): ResolvedConfig {
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) throw firstIssue(parsed.error);
  const config = parsed.data;
  const violation = checkRelations(config)[0];
  if (violation) throw new ConfigError(ENV_NAMES[violation.key], violation.message);
  let database: DatabaseTarget;
  try {
    database = parseDatabaseUrl(config.databaseUrl, cwd);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new ConfigError(ENV_NAMES.databaseUrl, err.message);
    throw err;
  }
  return { ...config, database };
}

/** Reads DARKBLOOM_* variables; empty strings count as unset. */
export function configFromEnv(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): ResolvedConfig {
  const input: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== "") input[key] = value;
  }
  return resolveConfig(input as CoordinatorConfigInput, cwd);
}
