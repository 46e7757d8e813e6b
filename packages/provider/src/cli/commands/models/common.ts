import { UsageError } from "../../usage-error.js";

export const DEFAULT_COORDINATOR = "http://127.0.0.1:8080";

/** Exactly `n` positionals (`names` for the message). */
export function positionals(values: string[], names: string[], optional = false): string[] {
  if (values.length > names.length || (!optional && values.length < names.length)) {
    throw new UsageError(`expected ${names.map((n) => (optional ? `[${n}]` : n)).join(" ")}, got ${values.length} argument(s)`);
  }
  return values;
}

export const out = (text: string) => void process.stdout.write(text);

export const MODELS_DIR_NOTE = "Models live in ~/.cache/darkbloom/models (DARKBLOOM_MODELS_DIR overrides).";
