/** Small HTTP helpers shared by privateFetch's pieces. */

export interface ErrorInfo {
  message: string;
  type: string;
  code?: string | number | null;
  param?: string | null;
}

/** Headers copied from the coordinator's e2e response onto the decrypted Response. */
export const COPIED_RESPONSE_HEADERS = [
  "x-request-id",
  "x-provider-id",
  "x-provider-trust-level",
  "x-darkbloom-privacy",
  "server-timing",
  "x-timing",
] as const;

export function openAIErrorBody(err: ErrorInfo): { error: { message: string; type: string; code: string | number | null; param: string | null } } {
  return { error: { message: err.message, type: err.type, code: err.code ?? null, param: err.param ?? null } };
}

export function errorResponse(status: number, err: ErrorInfo, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(openAIErrorBody(err)), { status, headers: h });
}

export function copyResponseHeaders(from: Headers, contentType: string): Headers {
  const h = new Headers({ "content-type": contentType });
  for (const name of COPIED_RESPONSE_HEADERS) {
    const v = from.get(name);
    if (v !== null) h.set(name, v);
  }
  if (!h.has("x-darkbloom-privacy")) h.set("x-darkbloom-privacy", "e2e");
  return h;
}

export interface IncomingRequest {
  url: string;
  method: string;
  headers: Headers;
  signal: AbortSignal | undefined;
  /** Reads the body as text (only called for requests we intercept). */
  text(): Promise<string>;
}

async function bodyText(body: BodyInit | null | undefined): Promise<string> {
  if (body === null || body === undefined) return "";
  if (typeof body === "string") return body;
  return new Response(body).text();
}

/** Normalises fetch's (input, init) pair without consuming the body. */
export function describeRequest(input: RequestInfo | URL, init: RequestInit | undefined): IncomingRequest {
  if (typeof Request !== "undefined" && input instanceof Request) {
    return {
      url: input.url,
      method: (init?.method ?? input.method).toUpperCase(),
      headers: new Headers(init?.headers ?? input.headers),
      signal: init?.signal ?? input.signal,
      text: () => (init?.body !== undefined ? bodyText(init.body) : input.clone().text()),
    };
  }
  return {
    url: input instanceof URL ? input.href : String(input),
    method: (init?.method ?? "GET").toUpperCase(),
    headers: new Headers(init?.headers),
    signal: init?.signal ?? undefined,
    text: () => bodyText(init?.body),
  };
}

/** origin + pathname, so query strings and trailing slashes do not defeat matching. */
export function endpointKey(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + u.pathname.replace(/\/+$/, "");
  } catch {
    return url;
  }
}

/** Characters of text in a string, or in the `text` of an array of parts/blocks. */
function textChars(content: unknown): number {
  if (typeof content === "string") return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content as unknown[]) {
    const text = typeof part === "object" && part !== null ? (part as Record<string, unknown>).text : undefined;
    if (typeof text === "string") chars += text.length;
  }
  return chars;
}

/**
 * ceil(chars / 4) over the prompt text of any family's body: messages (string content, text
 * parts, tool calls), Responses `input` / `instructions`, Anthropic `system`, a completions `prompt`.
 */
export function estimateInputTokens(body: Record<string, unknown>): number {
  let chars = textChars(body.system) + textChars(body.instructions) + textChars(body.prompt);
  const items = Array.isArray(body.messages) ? (body.messages as unknown[]) : Array.isArray(body.input) ? (body.input as unknown[]) : [];
  if (typeof body.input === "string") chars += body.input.length;
  for (const m of items) {
    if (typeof m !== "object" || m === null) continue;
    const msg = m as Record<string, unknown>;
    chars += textChars(msg.content);
    if (Array.isArray(msg.tool_calls)) chars += JSON.stringify(msg.tool_calls).length;
  }
  return Math.ceil(chars / 4);
}
