import { stateDir } from "../dirs.js";
import { join } from "node:path";

/** Where the daemon keeps its pid file, log file and control socket. */
export interface StatePaths {
  dir: string;
  pidFile: string;
  logFile: string;
  socket: string;
}

export function statePaths(env: NodeJS.ProcessEnv = process.env): StatePaths {
  const dir = stateDir(env);
  return { dir, pidFile: join(dir, "provider.pid"), logFile: join(dir, "provider.log"), socket: join(dir, "control.sock") };
}
