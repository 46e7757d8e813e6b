import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Reads every file in a coordinator's data dir (database, -wal, -shm) and fails if any of
 * `secrets` appears in one; returns the names it read (so a test can check the WAL was there).
 */
export async function assertNotStored(dataDir: string, secrets: string[], when: string): Promise<string[]> {
  const names = await readdir(dataDir);
  for (const name of names) {
    const bytes = await readFile(join(dataDir, name));
    for (const s of secrets) assert.ok(!bytes.includes(s), `${when}: ${JSON.stringify(s)} found in ${name}`);
  }
  return names;
}
