import { join } from "node:path";

export { modelsDir } from "../dirs.js";

/** One model's directory: its files at their manifest paths plus `manifest.json` (written last). */
export function modelDir(root: string, modelId: string): string {
  return join(root, encodeURIComponent(modelId));
}

export const MANIFEST_FILE = "manifest.json";
export const PART_SUFFIX = ".part";
