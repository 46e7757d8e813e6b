import { basename } from "node:path";
import { parseArgs } from "node:util";
import type { StartFlags } from "../config/resolve.js";

import { intOption } from "./commands/parse-flags.js";
import { UsageError } from "./usage-error.js";

export { UsageError } from "./usage-error.js";

export const USAGE = `usage:
  darkbloom start [--foreground] [--coordinator URL] [--model FILE] [--model-id ID] [--parallel N] [--token T] [--account-key K] [--wait S]
  darkbloom local --model FILE [--port N] [--host H] [--model-id ID] [--parallel N]
  darkbloom benchmark --model FILE [--max-concurrency N] [--json]   (prefill/decode tok/s, stored for register)
  darkbloom doctor [--coordinator URL] [--model FILE|ID] [--json]   (check this machine's health)
  darkbloom proxy --coordinator URL [--api-key KEY] [--port 8090] [--host 127.0.0.1]   (consumer: e2e-private local endpoint)

  darkbloom stop [--timeout S]          stop the background provider gracefully
  darkbloom restart                     stop, then start again with the same arguments
  darkbloom status [--json]             what the running provider is doing
  darkbloom logs [-f] [-n N]            the background provider's log
  darkbloom switch --model FILE [--model-id ID]   change the served model of the running provider
  darkbloom config show [--json]        the effective configuration (secrets masked)
  darkbloom login [--coordinator URL]   link this provider to your account (device code)
  darkbloom logout                      unlink it (revokes its account token)

  darkbloom models catalog|download ID|list|remove ID|verify [ID]   (--model also takes a downloaded ID)
  darkbloom [start|local] --help | --version

  \`start\` runs in the background (pid, log and control socket in ~/.local/state/darkbloom, or
  DARKBLOOM_STATE_DIR) unless --foreground. Settings come from ~/.config/darkbloom/provider.toml
  (DARKBLOOM_CONFIG_DIR overrides the dir); flags override it.

  URL is ws://host:port/ws/provider or an http://host:port base (default ws://127.0.0.1:8080/ws/provider).
  The model id defaults to the file name without .gguf; --parallel (default 4) is the number of
  sequences decoded together in one batch. The coordinator's provider enrollment token comes from
  DARKBLOOM_PROVIDER_TOKEN or --token (the variable keeps it out of the process list); after
  \`darkbloom login\` the provider sends its account token instead. Earnings go to the account it is
  logged in to (or whose API key is in DARKBLOOM_ACCOUNT_KEY / --account-key); unlinked, they accrue
  to this provider's identity and move to the account when it is linked.`;

export interface EngineArgs {
  modelPath: string;
  modelId: string;
  parallel: number;
  /** --model-id was given (else a catalog id given as --model becomes the model id). */
  explicitId?: boolean;
}

export type Command =
  | { kind: "start"; foreground: boolean; flags: StartFlags; waitS: number; argv: string[] }
  | { kind: "local"; port: number; host: string; engine: EngineArgs }
  | { kind: "help" }
  | { kind: "version" };

function engineArgs(values: Record<string, string | boolean | undefined>): EngineArgs {
  const modelPath = values.model;
  if (typeof modelPath !== "string" || modelPath.length === 0) throw new UsageError("--model FILE is required");
  const modelId = typeof values["model-id"] === "string" ? values["model-id"] : basename(modelPath).replace(/\.gguf$/i, "");
  if (!/^[\w.:/-]{1,256}$/.test(modelId)) throw new UsageError(`invalid model id ${JSON.stringify(modelId)}`);
  const explicitId = typeof values["model-id"] === "string";
  return { modelPath, modelId, parallel: intOption("parallel", values.parallel as string | undefined, 4, 1, 64), ...(explicitId && { explicitId }) };
}

/** Options that only one subcommand takes (the other refuses them). */
const START_ONLY = ["foreground", "coordinator", "account-key", "wait"];
const LOCAL_ONLY = ["port", "host"];

/** Parses and validates the command line (without the node and script entries). */
export function parseCommand(argv: string[]): Command {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "help" || sub === "--help" || sub === "-h") return { kind: "help" };
  if (sub === "version" || sub === "--version" || sub === "-v") return { kind: "version" };
  if (sub.startsWith("-")) throw new UsageError(`unknown option ${JSON.stringify(sub)}`);
  if (sub !== "start" && sub !== "local") throw new UsageError(`unknown command ${JSON.stringify(sub)}`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        foreground: { type: "boolean" },
        coordinator: { type: "string" },
        model: { type: "string" },
        "model-id": { type: "string" },
        parallel: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        token: { type: "string" },
        "account-key": { type: "string" },
        wait: { type: "string" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const foreign = Object.keys(values).find((k) => (sub === "start" ? LOCAL_ONLY : START_ONLY).includes(k));
  if (foreign !== undefined) throw new UsageError(`--${foreign} is not an option of \`darkbloom ${sub}\``);
  if (sub === "start") {
    const flags: StartFlags = {};
    if (typeof values.coordinator === "string") flags.coordinator = values.coordinator;
    if (typeof values.model === "string") {
      if (values.model.length === 0) throw new UsageError("--model FILE must not be empty");
      flags.modelPath = values.model;
    }
    if (typeof values["model-id"] === "string") {
      if (!/^[\w.:/-]{1,256}$/.test(values["model-id"])) throw new UsageError(`invalid model id ${JSON.stringify(values["model-id"])}`);
      flags.modelId = values["model-id"];
    }
    if (values.parallel !== undefined) flags.parallel = intOption("parallel", values.parallel as string, 4, 1, 64);
    const token = values.token as string | undefined;
    if (token !== undefined && !/^[\x21-\x7e]{1,512}$/.test(token)) throw new UsageError("--token must be printable ASCII without spaces");
    if (token !== undefined) flags.token = token;
    const accountKey = values["account-key"] as string | undefined;
    if (accountKey !== undefined && !/^[\x21-\x7e]{1,512}$/.test(accountKey)) throw new UsageError("--account-key must be printable ASCII without spaces");
    if (accountKey !== undefined) flags.accountKey = accountKey;
    const waitS = intOption("wait", values.wait as string | undefined, 180, 1, 3600);
    return { kind: "start", foreground: values.foreground === true, flags, waitS, argv: rest };
  }
  if (sub === "local") {
    return {
      kind: "local",
      port: intOption("port", values.port as string | undefined, 8000, 0, 65535),
      host: (values.host as string | undefined) ?? "127.0.0.1",
      engine: engineArgs(values),
    };
  }
  throw new UsageError(`unknown command ${JSON.stringify(sub)}`);
}
