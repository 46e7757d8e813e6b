import { modelsDir, removeModel } from "../../../models/index.js";
import { parseFlags } from "../parse-flags.js";
import type { SubCommand } from "../types.js";
import { MODELS_DIR_NOTE, out, positionals } from "./common.js";

export const command: SubCommand = {
  summary: "delete a downloaded model",
  usage: `usage: darkbloom models remove ID

  Deletes the model's files (and any partial download). ${MODELS_DIR_NOTE}`,
  async run(argv) {
    const { values, positionals: rest } = parseFlags(argv, {}, true);
    if (values.help) return out(`${this.usage}\n`), 0;
    const [id] = positionals(rest, ["ID"]);
    if (!(await removeModel(modelsDir(), id!))) {
      process.stderr.write(`darkbloom models remove: ${id} is not downloaded\n`);
      return 1;
    }
    out(`removed ${id}\n`);
    return 0;
  },
};
