import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../usage-error.js";

type Options = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

type ValueOf<T extends Options[string]> = T["type"] extends "boolean" ? boolean : T["multiple"] extends true ? string[] : string;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]?: ValueOf<O[K]> } & { help?: boolean };
  positionals: string[];
}

/** Strict parseArgs whose errors are UsageErrors; `help` (-h) is always an option. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false): Parsed<O> {
  try {
    const config: ParseArgsConfig = { args: argv, strict: true, allowPositionals, options: { ...options, help: { type: "boolean", short: "h" } } };
    return parseArgs(config) as unknown as Parsed<O>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** An integer flag in [min, max]; `fallback` when absent. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function seconds(name: string, value: string | undefined, fallback: number, max = 3600): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`--${name} must be whole seconds between 1 and ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Prints a usage text for --help; returns exit code 0. */
export function printHelp(usage: string): number {
  process.stdout.write(`${usage}\n`);
  return 0;
}
