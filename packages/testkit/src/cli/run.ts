// The darkbloom-testkit CLI, as a function returning the exit code (main.ts is the thin entry).
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { readGgufHeader, type GgufValue } from "../gguf/index.js";
import { makeModel } from "../model/make-model.js";
import { parseCommand, USAGE, UsageError } from "./args.js";
import { packageVersion } from "./version.js";

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

const PROGRESS_MIN_BYTES = 50e6;

function summarize(v: GgufValue): unknown {
  if (v.kind === "array") {
    const items = v.value.slice(0, 8).map((x) => (typeof x === "bigint" ? x.toString() : x));
    return v.value.length > 8 ? { length: v.value.length, first: items } : items;
  }
  return typeof v.value === "bigint" ? v.value.toString() : v.value;
}

export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`darkbloom-testkit: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    if (command.cmd === "help") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (command.cmd === "version") {
      io.stdout(`darkbloom-testkit ${packageVersion()}\n`);
      return 0;
    }
    if (command.cmd === "inspect") {
      const h = await readGgufHeader(command.file);
      const metadata = Object.fromEntries(h.kvs.map((kv) => [kv.key, summarize(kv.value)]));
      const tensors = h.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type ?? t.typeId, offset: t.offset }));
      io.stdout(`${JSON.stringify({ version: h.version, alignment: h.alignment, metadata, tensors }, null, 2)}\n`);
      return 0;
    }
    const out = resolve(command.out);
    await mkdir(dirname(out), { recursive: true });
    let lastStep = 0;
    const res = await makeModel({
      out,
      preset: command.preset,
      seed: command.seed,
      eos: command.eos,
      ...(command.type ? { type: command.type } : {}),
      onProgress: (done, total) => {
        if (total < PROGRESS_MIN_BYTES) return;
        const step = Math.floor((done / total) * 20); // every 5%
        if (step > lastStep) {
          lastStep = step;
          io.stderr(`make-model: ${step * 5}%\n`);
        }
      },
    });
    io.stdout(`${res.path}\t${res.bytes} bytes (${(res.bytes / 1e6).toFixed(1)} MB)\n`);
    return 0;
  } catch (err) {
    io.stderr(`darkbloom-testkit: ${(err as Error).message}\n`);
    return 1;
  }
}
