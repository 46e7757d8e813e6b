import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import { USAGE, UsageError, parseCommand, type Command } from "./args.js";
import { COMMANDS } from "./commands/index.js";
import { packageVersion } from "./version.js";

async function main(argv: string[]): Promise<number> {
  const sub = argv[0];
  const load = sub !== undefined && Object.hasOwn(COMMANDS, sub) ? COMMANDS[sub] : undefined;
  if (load) {
    const command = await load();
    try {
      return await command.run(argv.slice(1));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      process.stderr.write(`darkbloom ${sub}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
  }
  let cmd: Command;
  try {
    cmd = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`darkbloom: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  switch (cmd.kind) {
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case "version":
      process.stdout.write(`darkbloom ${packageVersion()} (protocol v${PROTOCOL_VERSION})\n`);
      return 0;
    // Loaded on demand: --help and --version need not load the engine.
    case "start":
      return (await import("./run-start.js")).runStart(cmd);
    case "local":
      return (await import("./run-local.js")).runLocal(cmd);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`darkbloom: ${err.message}\n`);
    process.exitCode = 1;
  },
);
