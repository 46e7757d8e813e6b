import type { z } from "zod";
import { ChatRequestError, paramPath, printableKey } from "../openai/chat-request-error.js";

/**
 * Request-validation helpers shared by the API families. Every refusal is a ChatRequestError
 * (the name is historical: it is the error of any family's request) naming the field (`param`);
 * messages never quote request content (in e2e mode they cross the coordinator in clear).
 */
export { ChatRequestError as ApiRequestError } from "../openai/chat-request-error.js";

type Value = unknown;
export const isRecord = (v: Value): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const absent = (v: Value): boolean => v === undefined || v === null;

/** A parameter we know but cannot honour: refused unless it carries its no-op value. */
export interface UnsupportedParam {
  noOp(v: Value): boolean;
  message: string;
}

/**
 * Refuses any parameter of `table` whose value asks for something Darkbloom cannot do. Unknown
 * parameters are left alone (ignored, as OpenAI does for fields it does not know).
 */
export function rejectUnsupportedParams(body: unknown, table: Readonly<Record<string, UnsupportedParam>>, at = ""): void {
  if (!isRecord(body)) return;
  for (const [key, value] of Object.entries(body)) {
    const entry = Object.hasOwn(table, key) ? table[key] : undefined;
    if (entry && !entry.noOp(value)) throw new ChatRequestError(entry.message, `${at}${printableKey(key)}`);
  }
}

/** Parses with `schema`; the first issue becomes a ChatRequestError naming its field. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue ? paramPath(issue.path) : null;
  throw new ChatRequestError(`invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
}
