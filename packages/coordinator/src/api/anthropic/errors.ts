import type { ErrorFormat } from "@darkbloom/protocol";

/** Everything at or under this path answers errors in Anthropic's shape. */
export const ANTHROPIC_PATH = "/v1/messages";

/**
 * The error shape of a request path: Anthropic's `{type:"error",error:{type,message}}` for
 * /v1/messages and below (401, 404, 405, 413, 500… included, whichever layer answers), OpenAI's
 * everywhere else.
 */
export function errorFormatForPath(path: string): ErrorFormat {
  return path === ANTHROPIC_PATH || path.startsWith(`${ANTHROPIC_PATH}/`) ? "anthropic" : "openai";
}
