import type { LogLevel } from "../config/index.js";

/** A log field value. Callers pass ids, counts and timings only: never prompt or completion text. */
export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Record<string, LogValue>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level: LogLevel;
  /** Receives one complete JSON line (newline included). Defaults to stdout. */
  write?: (line: string) => void;
  now?: () => number;
  base?: LogFields;
}

/** Structured JSON-lines logger; `undefined` fields are dropped. */
export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => void process.stdout.write(line));
  const now = opts.now ?? Date.now;
  const min = RANK[opts.level];
  const make = (base: LogFields): Logger => {
    const emit = (level: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields) => {
      if (RANK[level] < min) return;
      const record = { ts: new Date(now()).toISOString(), level, msg, ...base, ...fields };
      write(JSON.stringify(record) + "\n");
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(opts.base ?? {});
}

/** Error text safe to log: the class and message, cut short (messages never carry payloads here). */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) return { error: err.name, error_message: err.message.slice(0, 300) };
  return { error: typeof err };
}
