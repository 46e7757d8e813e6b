import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Where the provider keeps its runtime state (pid, log, control socket, benchmark results): DARKBLOOM_STATE_DIR, else $XDG_STATE_HOME/darkbloom, else ~/.local/state/darkbloom. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DARKBLOOM_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "darkbloom");
}

/** Where catalog models are kept: DARKBLOOM_MODELS_DIR, else $XDG_CACHE_HOME/darkbloom/models, else ~/.cache/darkbloom/models. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DARKBLOOM_MODELS_DIR) return resolve(env.DARKBLOOM_MODELS_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "darkbloom", "models");
}
