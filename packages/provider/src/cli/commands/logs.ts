import { open, stat } from "node:fs/promises";
import { statePaths } from "../../daemon/paths.js";
import { tailLines } from "../../daemon/launch.js";
import { parseFlags, printHelp } from "./parse-flags.js";
import { UsageError } from "../usage-error.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom logs [-f] [-n N]

  Prints the last N lines (default 50) of the background provider's log (provider.log in the state
  dir). -f keeps printing new lines as they are written, until interrupted.`;

/** Prints what is appended to `file` past `from`, polling, until SIGINT/SIGTERM. */
async function follow(file: string, from: number): Promise<void> {
  let pos = from;
  let stopped = false;
  const stop = () => (stopped = true);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  while (!stopped) {
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    if (size < pos) pos = 0; // truncated or replaced
    if (size > pos) {
      const fh = await open(file, "r");
      const buf = Buffer.alloc(size - pos);
      await fh.read(buf, 0, buf.length, pos);
      await fh.close();
      process.stdout.write(buf);
      pos = size;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const command: SubCommand = {
  summary: "the background provider's log",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { follow: { type: "boolean", short: "f" }, lines: { type: "string", short: "n" } });
    if (values.help) return printHelp(usage);
    const n = values.lines === undefined ? 50 : Number(values.lines);
    if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new UsageError(`-n must be a line count, got ${JSON.stringify(values.lines)}`);
    const file = statePaths().logFile;
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      process.stderr.write(`no log at ${file}: darkbloom has not been started in the background\n`);
      return 1;
    }
    const text = n === 0 ? "" : await tailLines(file, n);
    if (text) process.stdout.write(`${text}\n`);
    if (values.follow) await follow(file, info.size);
    return 0;
  },
};
