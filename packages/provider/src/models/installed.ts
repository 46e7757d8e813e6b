import { readdir, readFile, rm, stat, writeFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { CatalogEntrySchema, type CatalogEntry } from "@darkbloom/protocol";
import { sha256File } from "./hash-file.js";
import { MANIFEST_FILE, modelDir } from "./paths.js";

/** A downloaded model: its catalog entry and directory. */
export interface InstalledModel {
  entry: CatalogEntry;
  dir: string;
  /** The GGUF the engine loads. */
  weightsPath: string;
}

function installedOf(entry: CatalogEntry, dir: string): InstalledModel {
  const weights = entry.files.find((f) => f.role === "weights")!;
  return { entry, dir, weightsPath: join(dir, ...weights.path.split("/")) };
}

/** The installed model with this id, if its manifest is there and valid. */
export async function findInstalled(root: string, modelId: string): Promise<InstalledModel | undefined> {
  const dir = modelDir(root, modelId);
  const text = await readFile(join(dir, MANIFEST_FILE), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = CatalogEntrySchema.safeParse(json);
  return parsed.success && parsed.data.model_id === modelId ? installedOf(parsed.data, dir) : undefined;
}

/** Every installed model, by id. */
export async function listInstalled(root: string): Promise<InstalledModel[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const found: InstalledModel[] = [];
  for (const name of names.sort()) {
    let id: string;
    try {
      id = decodeURIComponent(name);
    } catch {
      continue;
    }
    const model = await findInstalled(root, id);
    if (model) found.push(model);
  }
  return found;
}

/** Marks a model installed: its manifest, written atomically once every file is verified. */
export async function writeInstalledManifest(dir: string, entry: CatalogEntry): Promise<void> {
  const tmp = join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, `${JSON.stringify(entry, null, 2)}\n`);
  await rename(tmp, join(dir, MANIFEST_FILE));
}

/** Removes a model's directory (files, partial downloads, manifest). False when nothing was there. */
export async function removeModel(root: string, modelId: string): Promise<boolean> {
  const dir = modelDir(root, modelId);
  const there = await stat(dir).catch(() => undefined);
  if (!there) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

export type FileCheck = { path: string; ok: true } | { path: string; ok: false; problem: "missing" | "size" | "sha256"; detail: string };

/** Re-reads every file of an installed model and compares size and SHA-256 with its manifest. */
export async function verifyModel(model: InstalledModel): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const f of model.entry.files) {
    const path = join(model.dir, ...f.path.split("/"));
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) {
      checks.push({ path: f.path, ok: false, problem: "missing", detail: "file is missing" });
      continue;
    }
    if (st.size !== f.size_bytes) {
      checks.push({ path: f.path, ok: false, problem: "size", detail: `${st.size} bytes, the manifest says ${f.size_bytes}` });
      continue;
    }
    const digest = await sha256File(path);
    checks.push(digest === f.sha256 ? { path: f.path, ok: true } : { path: f.path, ok: false, problem: "sha256", detail: `SHA-256 ${digest}, the manifest says ${f.sha256}` });
  }
  return checks;
}
