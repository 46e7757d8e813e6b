import { findInstalled, listInstalled, modelsDir, verifyModel, type InstalledModel } from "../../../models/index.js";
import { parseFlags } from "../parse-flags.js";
import type { SubCommand } from "../types.js";
import { MODELS_DIR_NOTE, out, positionals } from "./common.js";

export const command: SubCommand = {
  summary: "re-check downloaded files against their SHA-256",
  usage: `usage: darkbloom models verify [ID]

  Re-reads every file of the model (all downloaded models without ID) and compares its size and
  SHA-256 with the manifest. Exit code 1 when a file is missing or altered; fix it with
  \`darkbloom models download ID\`. ${MODELS_DIR_NOTE}`,
  async run(argv) {
    const { values, positionals: rest } = parseFlags(argv, {}, true);
    if (values.help) return out(`${this.usage}\n`), 0;
    const [id] = positionals(rest, ["ID"], true);
    const root = modelsDir();
    let models: InstalledModel[];
    if (id !== undefined) {
      const one = await findInstalled(root, id);
      if (!one) {
        process.stderr.write(`darkbloom models verify: ${id} is not downloaded\n`);
        return 1;
      }
      models = [one];
    } else models = await listInstalled(root);
    let bad = 0;
    for (const m of models) {
      const checks = await verifyModel(m);
      const failed = checks.filter((c) => !c.ok);
      bad += failed.length;
      out(`${m.entry.model_id}@${m.entry.version}: ${failed.length === 0 ? "ok" : "FAILED"}\n`);
      for (const c of failed) if (!c.ok) out(`  ${c.path}: ${c.detail} — run \`darkbloom models download ${m.entry.model_id}\`\n`);
    }
    if (models.length === 0) out("no models downloaded\n");
    return bad === 0 ? 0 : 1;
  },
};
