import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { findInstalled } from "../models/installed.js";

export interface ModelRef {
  path: string;
  id: string;
}

const idOf = (path: string) => basename(path).replace(/\.gguf$/i, "");

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function ggufsIn(dir: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isFile() && /\.gguf$/i.test(e.name)) out.push(p);
    else if (e.isDirectory() && depth > 0) out.push(...(await ggufsIn(p, depth - 1)));
  }
  return out;
}

/**
 * `--model FILE|ID` to files: an existing path, else a model id in the models dir (`<id>.gguf` or
 * the GGUFs of `<id>/`). Unresolvable ones come back with the given text as path (the header check
 * then reports them). No `--model`: every GGUF in the models dir.
 */
export async function resolveModels(args: readonly string[], dir: string): Promise<ModelRef[]> {
  if (args.length === 0) return (await ggufsIn(dir, 2)).map((path) => ({ path, id: idOf(path) }));
  const out: ModelRef[] = [];
  for (const arg of args) {
    if (await isFile(arg)) {
      out.push({ path: arg, id: idOf(arg) });
      continue;
    }
    // A downloaded catalog model (darkbloom models download ID): its verified weights file.
    const installed = await findInstalled(dir, arg).catch(() => undefined);
    if (installed) {
      out.push({ path: installed.weightsPath, id: installed.entry.model_id });
      continue;
    }
    if (await isFile(join(dir, `${arg}.gguf`))) {
      out.push({ path: join(dir, `${arg}.gguf`), id: arg });
      continue;
    }
    const inDir = await ggufsIn(join(dir, arg), 0);
    if (inDir.length > 0) out.push(...inDir.map((path) => ({ path, id: arg })));
    else out.push({ path: arg, id: arg });
  }
  return out;
}
