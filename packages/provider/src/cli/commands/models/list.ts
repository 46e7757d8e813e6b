import { formatBytes, listInstalled, modelsDir } from "../../../models/index.js";
import { parseFlags } from "../parse-flags.js";
import type { SubCommand } from "../types.js";
import { MODELS_DIR_NOTE, out, positionals } from "./common.js";

export const command: SubCommand = {
  summary: "list downloaded models",
  usage: `usage: darkbloom models list [--json]

  Lists the downloaded catalog models (id, version, size, weights file). ${MODELS_DIR_NOTE}`,
  async run(argv) {
    const { values, positionals: rest } = parseFlags(argv, { json: { type: "boolean" } }, true);
    if (values.help) return out(`${this.usage}\n`), 0;
    positionals(rest, []);
    const models = await listInstalled(modelsDir());
    if (values.json) {
      out(`${JSON.stringify(models.map((m) => ({ model_id: m.entry.model_id, version: m.entry.version, total_size_bytes: m.entry.total_size_bytes, aggregate_sha256: m.entry.aggregate_sha256, weights: m.weightsPath })), null, 2)}\n`);
    } else if (models.length === 0) out("no models downloaded (see `darkbloom models catalog`)\n");
    else for (const m of models) out(`${m.entry.model_id}  version ${m.entry.version}  ${formatBytes(m.entry.total_size_bytes)}  ${m.weightsPath}\n`);
    return 0;
  },
};
