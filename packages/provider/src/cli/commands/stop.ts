import { statePaths } from "../../daemon/paths.js";
import { describeStop, stopDaemon } from "../../daemon/stop.js";
import { parseFlags, printHelp, seconds } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom stop [--timeout S]

  Stops the background provider gracefully: SIGTERM; it stops taking requests (new ones are handed
  back to the coordinator, which sends them to another provider), lets the ones in flight finish
  within grace_period_s (provider.toml, default 30), unregisters and exits. After --timeout seconds
  (default 60) it is killed. Exit code 1 when nothing was running or it had to be killed.`;

export const command: SubCommand = {
  summary: "stop the background provider gracefully",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { timeout: { type: "string" } });
    if (values.help) return printHelp(usage);
    const timeoutS = seconds("timeout", values.timeout, 60);
    const { text, code } = describeStop(await stopDaemon(statePaths(), timeoutS * 1000), timeoutS);
    (code === 0 ? process.stdout : process.stderr).write(`${text}\n`);
    return code;
  },
};
