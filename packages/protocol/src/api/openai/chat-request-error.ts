/** Longest `param` a chat request error names (it travels in clear in provider error frames too). */
export const MAX_ERROR_PARAM_LENGTH = 128;

/**
 * A chat request Darkbloom refuses, with the OpenAI `param` it concerns (a dotted path such as
 * `messages.0.content.1`, or null for the body as a whole). The message never quotes request
 * content: in e2e mode it crosses the coordinator in clear.
 */
export class ChatRequestError extends Error {
  override readonly name = "ChatRequestError";
  readonly param: string | null;
  constructor(message: string, param: string | null) {
    super(message);
    this.param = param === null ? null : param.slice(0, MAX_ERROR_PARAM_LENGTH);
  }
}

/** A client-chosen key as it may appear in an error: word characters only, bounded. */
export function printableKey(key: string): string {
  const safe = key.slice(0, 64).replace(/[^\w.-]/g, "?");
  return safe.length > 0 ? safe : "?";
}

/** `["messages", 0, "content"]` → `messages.0.content`. */
export function paramPath(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.map((p) => (typeof p === "string" ? printableKey(p) : String(p))).join(".");
}
