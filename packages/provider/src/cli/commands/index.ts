import type { SubCommand } from "./types.js";

export type { SubCommand } from "./types.js";

/**
 * Subcommands by name, loaded on demand (so `--help` never loads the engine). Add one line per
 * command: `name: () => import("./name.js").then((m) => m.command)`.
 */
export const COMMANDS: Record<string, () => Promise<SubCommand>> = {
  models: () => import("./models.js").then((m) => m.command),
};
