import type { z } from "zod";
import { badRequest, readJson, type RequestContext } from "../../http/index.js";

/** Small JSON bodies (prices, credits, invites): larger ones get 413. */
export const SMALL_BODY_BYTES = 16 * 1024;

/** Reads and validates a JSON body; a validation error is a 400 that names its field (`param`). */
export async function readBody<S extends z.ZodTypeAny>(ctx: RequestContext, schema: S, limit = SMALL_BODY_BYTES): Promise<z.output<S>> {
  const { value } = await readJson(ctx.req, limit);
  return parseInput(schema, value);
}

export function parseInput<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as z.output<S>;
  const issue = parsed.error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
  throw badRequest(`Invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
}

export const MICROS_PER_USD = 1_000_000;

/** USD (a JSON number) to integer micro-USD, rounding to the nearest micro. */
export const usdToMicros = (usd: number): number => Math.round(usd * MICROS_PER_USD);
export const microsToUsd = (micros: number): number => micros / MICROS_PER_USD;
