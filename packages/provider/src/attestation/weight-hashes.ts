import { chmod, mkdir, readFile, realpath, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { sha256File } from "../models/hash-file.js";

/** Files remembered at most (the least recently hashed are dropped first). */
const MAX_ENTRIES = 256;

const EntrySchema = z.object({
  path: z.string().min(1).max(4096),
  size: z.number().int().nonnegative(),
  mtime_ms: z.number().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const CacheFileSchema = z.object({ version: z.literal(1), entries: z.array(EntrySchema).max(MAX_ENTRIES) });
type Entry = z.infer<typeof EntrySchema>;

export const WEIGHT_HASHES_FILE = "weight-hashes.json";

/**
 * SHA-256 of model weight files for the attestation, hashed on demand and cached in the state dir
 * by (real path, size, mtime): a model is hashed once, not at every start, and a changed file is
 * hashed again. Scanning models never hashes. A missing or corrupt cache file is rebuilt.
 */
export class WeightHashes {
  private entries: Entry[] | undefined;
  private readonly file: string;

  constructor(
    stateDir: string,
    private readonly hashFile: (path: string) => Promise<string> = sha256File,
  ) {
    this.file = join(stateDir, WEIGHT_HASHES_FILE);
  }

  /**
   * The file's SHA-256 (lowercase hex), from the cache when its size and mtime are unchanged;
   * `onMiss` is called before a file is read through (a large model takes a while, once).
   */
  async hash(path: string, onMiss?: () => void): Promise<string> {
    const real = await realpath(path);
    const info = await stat(real);
    const entries = await this.load();
    const hit = entries.find((e) => e.path === real && e.size === info.size && e.mtime_ms === info.mtimeMs);
    if (hit) return hit.sha256;
    onMiss?.();
    const sha256 = await this.hashFile(real);
    const fresh = entries.filter((e) => e.path !== real);
    fresh.push({ path: real, size: info.size, mtime_ms: info.mtimeMs, sha256 });
    this.entries = fresh.slice(-MAX_ENTRIES);
    await this.save();
    return sha256;
  }

  private async load(): Promise<Entry[]> {
    if (this.entries) return this.entries;
    const text = await readFile(this.file, "utf8").catch(() => undefined);
    let entries: Entry[] = [];
    if (text !== undefined) {
      try {
        const parsed = CacheFileSchema.safeParse(JSON.parse(text));
        if (parsed.success) entries = parsed.data.entries;
      } catch {
        // corrupt: rebuilt below
      }
    }
    this.entries = entries;
    return entries;
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, entries: this.entries ?? [] }), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.file);
  }
}
