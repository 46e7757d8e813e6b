import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created = new Set<string>();
let hooked = false;

/**
 * A fresh directory under the OS temp dir, removed when this process exits (after the tests that
 * inspect it, e.g. the canary scan of a coordinator's database, have run).
 * Set DARKBLOOM_KEEP_TEST_DIRS=1 to keep them for debugging.
 */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.add(dir);
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      if (process.env.DARKBLOOM_KEEP_TEST_DIRS === "1") return;
      for (const d of created) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
