import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Where catalog models are kept: DARKBLOOM_MODELS_DIR, else ~/.cache/darkbloom/models. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.DARKBLOOM_MODELS_DIR;
  return override ? resolve(override) : join(homedir(), ".cache", "darkbloom", "models");
}

/** One model's directory: its files at their manifest paths plus `manifest.json` (written last). */
export function modelDir(root: string, modelId: string): string {
  return join(root, encodeURIComponent(modelId));
}

export const MANIFEST_FILE = "manifest.json";
export const PART_SUFFIX = ".part";
