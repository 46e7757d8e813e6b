import type { SubCommand } from "./types.js";

export type { SubCommand } from "./types.js";

/**
 * Subcommands by name, loaded on demand (so `--help` never loads the engine). Add one line per
 * command: `name: () => import("./name.js").then((m) => m.command)`.
 */
export const COMMANDS: Record<string, () => Promise<SubCommand>> = {
  benchmark: () => import("./benchmark.js").then((m) => m.command),
  doctor: () => import("./doctor.js").then((m) => m.command),
  proxy: () => import("./proxy.js").then((m) => m.command),
  stop: () => import("./stop.js").then((m) => m.command),
  restart: () => import("./restart.js").then((m) => m.command),
  status: () => import("./status.js").then((m) => m.command),
  logs: () => import("./logs.js").then((m) => m.command),
  switch: () => import("./switch.js").then((m) => m.command),
  config: () => import("./config.js").then((m) => m.command),
  engine: () => import("./engine.js").then((m) => m.command),
  models: () => import("./models.js").then((m) => m.command),
  login: () => import("./login.js").then((m) => m.command),
  logout: () => import("./logout.js").then((m) => m.command),
};
