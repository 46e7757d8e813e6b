import { parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const USAGE = `usage: darkbloom doctor [--coordinator URL] [--model FILE|ID]… [--json]

  Checks this machine for serving: engine backend (CPU/Metal/CUDA/Vulkan) and threads, RAM and the
  memory cap (0.90 × RAM, leaving ≥ 2 GiB), free disk for the models dir (DARKBLOOM_MODELS_DIR,
  default ~/.cache/darkbloom/models), coordinator reachability and protocol version, the identity
  key's permissions (0600, directory 0700), and each model's integrity (GGUF header; sha256 when a
  manifest.json lists it) and chat-template render. Without --model it checks every GGUF in the
  models dir. Prints a pass/warn/fail table with a fix for each problem (--json: the rows as JSON).
  Exit code 1 when a check failed, 0 otherwise.`;

export const command: SubCommand = {
  summary: "doctor [--coordinator URL] [--model FILE|ID] [--json]   check this machine's health",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, {
      json: { type: "boolean" },
      coordinator: { type: "string" },
      model: { type: "string", multiple: true },
    });
    if (values.help) return printHelp(USAGE);
    const { runDoctor, renderTable, exitCodeOf } = await import("../../doctor/index.js");
    const results = await runDoctor({ models: values.model ?? [], ...(values.coordinator !== undefined && { coordinator: values.coordinator }) });
    process.stdout.write(values.json ? `${JSON.stringify({ ok: exitCodeOf(results) === 0, checks: results }, null, 2)}\n` : `${renderTable(results)}\n`);
    return exitCodeOf(results);
  },
};
