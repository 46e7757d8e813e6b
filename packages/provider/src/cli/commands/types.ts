/**
 * A subcommand beyond `start` and `local`. Each lives in its own file under cli/commands/ and is
 * listed once in commands/index.ts; main.ts dispatches to it. `run` parses its own arguments
 * (node:util parseArgs, strict), answers `--help` with `usage` (exit 0), throws UsageError for bad
 * input (main prints it with the usage, exit 2) and returns the process exit code.
 */
export interface SubCommand {
  /** One line for `darkbloom --help`. */
  summary: string;
  /** The whole usage text for `darkbloom <name> --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}
