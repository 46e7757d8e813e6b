import { stat } from "node:fs/promises";
import { findInstalled } from "./installed.js";
import { modelsDir } from "./paths.js";

/**
 * `--model` of start/local: an existing file is used as is; otherwise the value is a catalog id
 * and resolves to the downloaded model's weights. Neither: an error saying how to download it.
 */
export async function resolveModelRef(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; catalogId?: string }> {
  const st = await stat(ref).catch(() => undefined);
  if (st?.isFile()) return { path: ref };
  const root = modelsDir(env);
  const installed = await findInstalled(root, ref).catch(() => undefined);
  if (installed) return { path: installed.weightsPath, catalogId: installed.entry.model_id };
  throw new Error(
    `--model ${JSON.stringify(ref)} is neither a GGUF file nor a downloaded catalog model (looked in ${root}): ` +
      `run \`darkbloom models download ${ref}\` first, or give the path of a .gguf file`,
  );
}
