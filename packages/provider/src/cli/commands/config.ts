import { ConfigError, configFilePath, loadConfigFile, resolveConfig, showConfig } from "../../config/index.js";
import { parseCommand, UsageError } from "../args.js";
import { parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom config show [--json] [start flags…]

  Prints the effective provider configuration: ~/.config/darkbloom/provider.toml (the dir from
  DARKBLOOM_CONFIG_DIR), then DARKBLOOM_PROVIDER_TOKEN / DARKBLOOM_ACCOUNT_KEY, then the \`start\`
  flags given here (--coordinator, --model, --model-id, --parallel, --token, --account-key), each
  overriding the one before. Secrets are masked. Exit code 2 when the file is invalid.

  provider.toml:
    coordinator = "wss://coordinator.example/ws/provider"
    parallel = 4
    memory_cap_gb = 24          # refuse models whose files exceed it
    grace_period_s = 30         # in-flight requests may finish this long on stop/pause/switch
    # token = "…" / account_key = "…"   (better in DARKBLOOM_PROVIDER_TOKEN / DARKBLOOM_ACCOUNT_KEY)
    [[models]]
    path = "/models/qwen.gguf"
    id = "qwen"                  # default: the file name without .gguf
    price = { input_per_million = 100000, output_per_million = 300000 }   # micro-USD
    [[schedule]]                 # serve only inside these windows (local time); none: always
    days = ["mon", "tue", "wed", "thu", "fri"]
    start = "18:00"
    end = "08:00"                # before start: runs past midnight`;

export const command: SubCommand = {
  summary: "the effective configuration (secrets masked)",
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action === undefined || action === "--help" || action === "-h") return printHelp(usage);
    if (action !== "show") throw new UsageError(`unknown config action ${JSON.stringify(action)} (want: show)`);
    const json = rest.includes("--json");
    const startArgs = rest.filter((a) => a !== "--json");
    if (startArgs.includes("--help") || startArgs.includes("-h")) return printHelp(usage);
    if (startArgs.includes("--foreground")) parseFlags(["--foreground"], {}); // refused like any unknown flag
    const cmd = parseCommand(["start", ...startArgs]);
    if (cmd.kind !== "start") return printHelp(usage);
    const file = configFilePath();
    let shown;
    try {
      shown = showConfig(resolveConfig(await loadConfigFile(file), cmd.flags, process.env, file));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`darkbloom config: ${err.message}\n`);
      return 2;
    }
    process.stdout.write(json ? `${JSON.stringify(shown, null, 2)}\n` : `${toText(shown)}\n`);
    return 0;
  },
};

function toText(shown: Record<string, unknown>): string {
  return Object.entries(shown)
    .map(([k, v]) => `${k} = ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("\n");
}
