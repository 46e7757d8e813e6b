import { parseArgs } from "node:util";
import { ConfigSchema, ENV_NAMES } from "../config/index.js";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type Command = { kind: "run" } | { kind: "help" } | { kind: "version" };

/** Each setting's variable and default, from the config schema (so the list cannot drift). */
function settingsList(): string {
  const defaults = ConfigSchema.parse({}) as Record<string, unknown>;
  return Object.entries(ENV_NAMES)
    .map(([key, name]) => `  ${name}${defaults[key] === undefined ? "" : `=${String(defaults[key])}`}`)
    .join("\n");
}

export const USAGE_LINE = "usage: darkbloom-coordinator [--help | --version]";

export function usage(): string {
  return `${USAGE_LINE}

Starts the Darkbloom coordinator (HTTP API + provider WebSocket). It takes no arguments: every
setting comes from a DARKBLOOM_* environment variable (defaults shown; see the package README):
${settingsList()}`;
}

/** Parses the command line (without the node and script entries). */
export function parseCommand(argv: string[]): Command {
  let values: { help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  return { kind: "run" };
}
