import { NotRunningError, controlRequest } from "../../daemon/control/client.js";
import { statePaths } from "../../daemon/paths.js";
import { formatStatus } from "../../daemon/status-view.js";
import { parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom status [--json]

  Asks the running provider over its control socket (in the state dir, mode 0600): coordinator,
  connection state, provider id, trust level, models with their slots (running, waiting, max
  concurrency), requests served, tokens generated, uptime. Exit code 1 when none is running.`;

export const command: SubCommand = {
  summary: "what the running provider is doing",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: "boolean" } });
    if (values.help) return printHelp(usage);
    const paths = statePaths();
    let res;
    try {
      res = await controlRequest(paths.socket, { op: "status" });
    } catch (err) {
      const msg = err instanceof NotRunningError ? "darkbloom is not running" : `darkbloom status: ${(err as Error).message}`;
      if (values.json) process.stdout.write(`${JSON.stringify({ running: false })}\n`);
      else process.stderr.write(`${msg}\n`);
      return 1;
    }
    if (!res.ok) {
      process.stderr.write(`darkbloom status: ${res.error}\n`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify({ running: true, ...res.status }, null, 2)}\n` : `${formatStatus(res.status)}\n`);
    return 0;
  },
};
