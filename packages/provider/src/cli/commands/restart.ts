import { launchDaemon, readLastArgs } from "../../daemon/launch.js";
import { statePaths } from "../../daemon/paths.js";
import { describeStop, stopDaemon } from "../../daemon/stop.js";
import { parseFlags, printHelp, seconds } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom restart [--timeout S] [--wait S]

  Stops the background provider gracefully (as \`darkbloom stop\`, --timeout default 60) and starts
  it again in the background with the arguments of its last \`darkbloom start\` (the config file is
  read anew), waiting up to --wait seconds (default 180) until it has registered.`;

export const command: SubCommand = {
  summary: "stop, then start the background provider again",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { timeout: { type: "string" }, wait: { type: "string" } });
    if (values.help) return printHelp(usage);
    const timeoutS = seconds("timeout", values.timeout, 60);
    const waitS = seconds("wait", values.wait, 180);
    const paths = statePaths();
    const args = await readLastArgs(paths);
    if (args === undefined) {
      process.stderr.write("darkbloom restart: no earlier background start to repeat: use `darkbloom start`\n");
      return 1;
    }
    const stopped = await stopDaemon(paths, timeoutS * 1000);
    if (stopped.kind !== "not_running") process.stdout.write(`${describeStop(stopped, timeoutS).text}\n`);
    const out = await launchDaemon(paths, args, waitS * 1000);
    switch (out.kind) {
      case "registered":
      case "paused":
        process.stdout.write(`darkbloom restarted (pid ${out.pid}): ${out.kind === "paused" ? "paused by its schedule" : `registered as ${out.status.provider_id ?? "?"}`}\n`);
        return 0;
      case "already_running":
        process.stderr.write(`darkbloom restart: another instance (pid ${out.pid}) started meanwhile\n`);
        return 1;
      case "failed":
        process.stderr.write(`darkbloom failed to start (exit code ${out.code ?? "?"}):\n${out.logTail}\n`);
        return 1;
      case "timeout":
        process.stderr.write(`darkbloom (pid ${out.pid}) has not registered within ${waitS} s: see \`darkbloom logs\`\n`);
        return 1;
    }
  },
};
