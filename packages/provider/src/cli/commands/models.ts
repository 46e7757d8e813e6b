import { UsageError } from "../usage-error.js";
import type { SubCommand } from "./types.js";

const SUBCOMMANDS: Record<string, () => Promise<SubCommand>> = {
  catalog: () => import("./models/catalog.js").then((m) => m.command),
  download: () => import("./models/download.js").then((m) => m.command),
  list: () => import("./models/list.js").then((m) => m.command),
  remove: () => import("./models/remove.js").then((m) => m.command),
  verify: () => import("./models/verify.js").then((m) => m.command),
};

export const command: SubCommand = {
  summary: "catalog models: catalog | download ID | list | remove ID | verify [ID]",
  usage: `usage: darkbloom models <command> [options]

  catalog            list the models registered on the coordinator
  download ID        download a catalog model (resumable, SHA-256 verified, progress bar)
  list               list downloaded models
  remove ID          delete a downloaded model
  verify [ID]        re-check downloaded files against their SHA-256

  darkbloom models <command> --help shows each command's options. Models live in
  ~/.cache/darkbloom/models (DARKBLOOM_MODELS_DIR overrides); \`darkbloom start --model ID\` serves one.`,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
      process.stdout.write(`${this.usage}\n`);
      return 0;
    }
    const load = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
    if (!load) throw new UsageError(`unknown models command ${JSON.stringify(sub)}`);
    const cmd = await load();
    try {
      return await cmd.run(rest);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      process.stderr.write(`darkbloom models ${sub}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
  },
};
