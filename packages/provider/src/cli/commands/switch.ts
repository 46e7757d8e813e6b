import { resolve } from "node:path";
import { defaultModelId } from "../../config/resolve.js";
import { NotRunningError, controlRequest } from "../../daemon/control/client.js";
import { statePaths } from "../../daemon/paths.js";
import { UsageError } from "../usage-error.js";
import { parseFlags, printHelp, seconds } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom switch --model FILE [--model-id ID] [--timeout S]

  Changes the model the running provider serves, without restarting it: the new engine is loaded
  first, then requests in flight finish (grace_period_s), the old engine is closed and the provider
  re-registers with the new model. The protocol takes a provider's models at registration only, so
  the provider reconnects to the coordinator (same identity, same process). --timeout (default 600)
  bounds the wait for the answer.`;

export const command: SubCommand = {
  summary: "change the served model of the running provider",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { model: { type: "string" }, "model-id": { type: "string" }, timeout: { type: "string" } });
    if (values.help) return printHelp(usage);
    if (!values.model) throw new UsageError("--model FILE is required");
    const id = values["model-id"] ?? defaultModelId(values.model);
    if (!/^[\w.:/-]{1,256}$/.test(id)) throw new UsageError(`invalid model id ${JSON.stringify(id)}`);
    const timeoutS = seconds("timeout", values.timeout, 600);
    let res;
    try {
      res = await controlRequest(statePaths().socket, { op: "switch", model_path: resolve(values.model), model_id: id }, timeoutS * 1000);
    } catch (err) {
      process.stderr.write(err instanceof NotRunningError ? "darkbloom is not running\n" : `darkbloom switch: ${(err as Error).message}\n`);
      return 1;
    }
    if (!res.ok) {
      process.stderr.write(`darkbloom switch: ${res.error}\n`);
      return 1;
    }
    process.stdout.write(`now serving ${res.status.models.map((m) => m.id).join(", ")} (re-registering with ${res.status.coordinator}; \`darkbloom status\` shows when it is connected)\n`);
    return 0;
  },
};
