import { DownloadError, ProgressReporter, fetchCatalog, installModel, modelsDir, pickEntry } from "../../../models/index.js";
import { parseFlags } from "../parse-flags.js";
import type { SubCommand } from "../types.js";
import { DEFAULT_COORDINATOR, MODELS_DIR_NOTE, out, positionals } from "./common.js";

export const command: SubCommand = {
  summary: "download a catalog model (resumable, SHA-256 verified)",
  usage: `usage: darkbloom models download ID[@VERSION] [--coordinator URL]

  Downloads every file of the model from the base URL in its manifest, resuming a partial
  download with HTTP Range requests, and checks each file's SHA-256 (a corrupted file is deleted
  and fetched again). Without @VERSION: the newest registered version. Shows a progress bar with
  rate and ETA on a terminal, plain lines otherwise. Then: darkbloom start --model ID.
  ${MODELS_DIR_NOTE}
  --coordinator  http(s) base or provider ws(s) URL (default ${DEFAULT_COORDINATOR})`,
  async run(argv) {
    const { values, positionals: rest } = parseFlags(argv, { coordinator: { type: "string" } }, true);
    if (values.help) return out(`${this.usage}\n`), 0;
    const [ref] = positionals(rest, ["ID"]);
    const { entries } = await fetchCatalog(values.coordinator ?? DEFAULT_COORDINATOR);
    const entry = pickEntry(entries, ref!);
    if (!entry) {
      process.stderr.write(`darkbloom models download: ${ref} is not in the catalog (see \`darkbloom models catalog\`)\n`);
      return 1;
    }
    const progress = new ProgressReporter({
      label: `${entry.model_id}@${entry.version}`,
      total: entry.total_size_bytes,
      tty: process.stderr.isTTY === true,
      write: (s) => void process.stderr.write(s),
      now: () => Date.now(),
    });
    const root = modelsDir();
    try {
      const model = await installModel(root, entry, {
        onProgress: (b) => progress.update(b),
        onEvent: (event, detail) => {
          const what = event === "resuming" ? `resuming from byte ${String(detail.from)}` : event === "corrupt" ? "SHA-256 mismatch: file refused and deleted, fetching it again" : "partial file too long: starting over";
          process.stderr.write(`${progress.snapshot().done === 0 ? "" : "\n"}${String(detail.path)}: ${what}\n`);
        },
      });
      progress.finish();
      out(`downloaded ${entry.model_id}@${entry.version} (verified) to ${model.dir}\n`);
      return 0;
    } catch (err) {
      progress.finish();
      if (!(err instanceof DownloadError)) throw err;
      process.stderr.write(`darkbloom models download: ${err.message}\nrun the same command again to resume\n`);
      return 1;
    }
  },
};
