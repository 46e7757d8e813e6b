import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { configDir } from "../identity/identity-store.js";
import { ConfigFileSchema, type ConfigFile } from "./schema.js";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), "provider.toml");
}

function keyOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("") || "(top level)";
}

/** Human messages for zod issues, each naming the key at fault. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      if (i.code === "unrecognized_keys") return i.keys.map((k) => `${keyOf([...i.path, k])}: unknown key`).join("; ");
      return `${keyOf(i.path)}: ${i.message}`;
    })
    .join("; ");
}

/** Parses and validates TOML text; errors name the file and the key (or line) at fault. */
export function parseConfig(text: string, file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` (line ${err.line}, column ${err.column})` : "";
    throw new ConfigError(`${file}: not valid TOML${where}: ${(err as Error).message.split("\n")[0]}`);
  }
  const result = ConfigFileSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssues(result.error.issues)}`);
  return result.data;
}

/** Reads the config file; a missing file is an empty config. */
export async function loadConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`${file}: cannot read: ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}
