// Argument parsing for the darkbloom-testkit CLI (pure: no I/O, so it is easy to test).
import { parseArgs } from "node:util";
import type { TensorType } from "../gguf/index.js";
import { isPreset, PRESET_NAMES, type Preset } from "../model/presets.js";
import type { EosMode } from "../model/weights.js";

export const USAGE = `Usage:
  darkbloom-testkit make-model --out FILE [--preset ${PRESET_NAMES.join("|")}] [--seed N]
                               [--eos suppress|favour] [--type f32|f16|q8_0]
  darkbloom-testkit inspect FILE
  darkbloom-testkit [make-model|inspect] --help | --version

make-model writes a deterministic llama-architecture GGUF test model (same options, same bytes).
  --preset  tiny (default, ~1.3 MB), small (~27 MB), medium (~275 MB)
  --seed    unsigned 32-bit integer, default 1
  --eos     suppress (default): never emits end-of-generation, runs to max_tokens;
            favour: ends after at most one token
  --type    tensor type of the 2-D weights, default f16
inspect prints a GGUF file's metadata (arrays abbreviated) and tensor list as JSON.`;

export class UsageError extends Error {}

export type Command =
  | { cmd: "help" }
  | { cmd: "version" }
  | { cmd: "make-model"; out: string; preset: Preset; seed: number; eos: EosMode; type: TensorType | undefined }
  | { cmd: "inspect"; file: string };

function parseSeed(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) > 0xffffffff) throw new UsageError(`--seed must be an integer 0..4294967295, got '${s}'`);
  return Number(s);
}

export function parseCommand(argv: readonly string[]): Command {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") return { cmd: "help" };
  if (cmd === "--version" || cmd === "-v" || cmd === "version") return { cmd: "version" };
  if (cmd.startsWith("-")) throw new UsageError(`unknown option '${cmd}'`);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: cmd === "inspect",
      strict: true,
      options: {
        out: { type: "string", short: "o" },
        preset: { type: "string" },
        seed: { type: "string" },
        eos: { type: "string" },
        type: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { cmd: "help" };
  if (values.version) return { cmd: "version" };
  if (cmd === "inspect") {
    if (positionals.length !== 1) throw new UsageError("inspect takes exactly one FILE");
    const extra = Object.keys(values);
    if (extra.length > 0) throw new UsageError(`inspect takes no options (got --${extra[0]})`);
    return { cmd: "inspect", file: positionals[0]! };
  }
  if (cmd !== "make-model") throw new UsageError(`unknown command '${cmd}'`);
  if (!values.out) throw new UsageError("make-model needs --out FILE");
  const preset = values.preset ?? "tiny";
  if (!isPreset(preset)) throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(", ")}, got '${preset}'`);
  const eos = values.eos ?? "suppress";
  if (eos !== "suppress" && eos !== "favour") throw new UsageError(`--eos must be suppress or favour, got '${eos}'`);
  const type = values.type;
  if (type !== undefined && type !== "f32" && type !== "f16" && type !== "q8_0") {
    throw new UsageError(`--type must be f32, f16 or q8_0, got '${type}'`);
  }
  return { cmd: "make-model", out: values.out, preset, seed: values.seed ? parseSeed(values.seed) : 1, eos, type };
}
