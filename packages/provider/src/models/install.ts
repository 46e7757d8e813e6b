import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { modelFileUrl, type CatalogEntry } from "@darkbloom/protocol";
import { downloadFile, type DownloadFileOptions } from "./download-file.js";
import { sha256File } from "./hash-file.js";
import { findInstalled, writeInstalledManifest, type InstalledModel } from "./installed.js";
import { modelDir } from "./paths.js";

export interface InstallOptions extends Pick<DownloadFileOptions, "fetch" | "sleep" | "maxAttempts" | "maxCorrupt" | "onEvent"> {
  /** Bytes of the whole model on disk so far. */
  onProgress?(bytes: number): void;
}

/**
 * Downloads every file of a catalog entry into `<root>/<id>/`, verifies each SHA-256 and then
 * writes the manifest (the model counts as installed only then). Files already complete and
 * correct are kept; partial ones resume. Another version installed under the id is replaced.
 */
export async function installModel(root: string, entry: CatalogEntry, opts: InstallOptions = {}): Promise<InstalledModel> {
  const dir = modelDir(root, entry.model_id);
  const previous = await findInstalled(root, entry.model_id);
  if (previous && previous.entry.aggregate_sha256 !== entry.aggregate_sha256) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let finished = 0;
  for (const f of entry.files) {
    const dest = join(dir, ...f.path.split("/"));
    const st = await stat(dest).catch(() => undefined);
    if (st?.isFile() && st.size === f.size_bytes && (await sha256File(dest)) === f.sha256) {
      finished += f.size_bytes;
      opts.onProgress?.(finished);
      continue;
    }
    await rm(dest, { force: true });
    const base = finished;
    await downloadFile({
      url: modelFileUrl(entry.base_url, f.path),
      dest,
      size: f.size_bytes,
      sha256: f.sha256,
      onProgress: (bytes) => opts.onProgress?.(base + bytes),
      ...(opts.onEvent && { onEvent: opts.onEvent }),
      ...(opts.fetch && { fetch: opts.fetch }),
      ...(opts.sleep && { sleep: opts.sleep }),
      ...(opts.maxAttempts !== undefined && { maxAttempts: opts.maxAttempts }),
      ...(opts.maxCorrupt !== undefined && { maxCorrupt: opts.maxCorrupt }),
    });
    finished += f.size_bytes;
    opts.onProgress?.(finished);
  }
  await writeInstalledManifest(dir, entry);
  return (await findInstalled(root, entry.model_id))!;
}
