import { USAGE, UsageError, parseCommand, type Command } from "./args.js";
import { runLocal } from "./run-local.js";
import { runStart } from "./run-start.js";

async function main(argv: string[]): Promise<number> {
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
    case "start":
      return runStart(cmd);
    case "local":
      return runLocal(cmd);
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
