import { fetchCatalog, formatBytes } from "../../../models/index.js";
import { parseFlags } from "../parse-flags.js";
import type { SubCommand } from "../types.js";
import { DEFAULT_COORDINATOR, out, positionals } from "./common.js";

export const command: SubCommand = {
  summary: "list the models registered on the coordinator",
  usage: `usage: darkbloom models catalog [--coordinator URL] [--json]

  Lists the coordinator's model registry (GET /v1/models/catalog): id, version, size, files.
  --coordinator  http(s) base or provider ws(s) URL (default ${DEFAULT_COORDINATOR})
  --json         the catalog entries as JSON`,
  async run(argv) {
    const { values, positionals: rest } = parseFlags(argv, { coordinator: { type: "string" }, json: { type: "boolean" } }, true);
    if (values.help) return out(`${this.usage}\n`), 0;
    positionals(rest, []);
    const { entries, invalid } = await fetchCatalog(values.coordinator ?? DEFAULT_COORDINATOR);
    if (values.json) out(`${JSON.stringify(entries, null, 2)}\n`);
    else if (entries.length === 0) out("the catalog is empty\n");
    else {
      for (const e of entries) out(`${e.model_id}  version ${e.version}  ${formatBytes(e.total_size_bytes)}  ${e.files.length} file(s)  ${e.aggregate_sha256.slice(0, 16)}…\n`);
    }
    if (invalid > 0) process.stderr.write(`darkbloom models catalog: ignored ${invalid} invalid catalog entr${invalid === 1 ? "y" : "ies"}\n`);
    return 0;
  },
};
