import { anthropicTypeFromOpenAI, type ErrorFormat } from "@darkbloom/protocol";
import { errorResponse, openAIErrorBody, type ErrorInfo } from "./http.js";

/**
 * Errors privateFetch itself answers, in the shape of the wrapped API family: OpenAI's for chat,
 * completions and responses; Anthropic's (`{type:"error",error:{type,message}}`, in-stream as
 * `event: error`) for messages and count_tokens, so each official client raises its own APIError.
 */

function anthropicBody(err: ErrorInfo) {
  return { type: "error", error: { type: anthropicTypeFromOpenAI(err.type), message: err.message } };
}

export function familyErrorResponse(format: ErrorFormat, status: number, err: ErrorInfo, headers?: HeadersInit): Response {
  if (format === "openai") return errorResponse(status, err, headers);
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(anthropicBody(err)), { status, headers: h });
}

/** An error event to end a started plaintext stream with. */
export function familyErrorEvent(format: ErrorFormat, err: ErrorInfo): string {
  if (format === "anthropic") return `event: error\ndata: ${JSON.stringify(anthropicBody(err))}\n\n`;
  return `data: ${JSON.stringify(openAIErrorBody(err))}\n\n`;
}

/**
 * A non-200 answer from the provider-keys lookup (always OpenAI-shaped) re-shaped for the family:
 * same status and headers, Anthropic's body when the caller speaks Anthropic.
 */
export async function reshapeError(format: ErrorFormat, res: Response): Promise<Response> {
  if (format === "openai") return res;
  let info: ErrorInfo = { message: `upstream error (HTTP ${res.status})`, type: "api_error" };
  try {
    const body = (await res.json()) as { error?: { message?: unknown; type?: unknown } };
    if (typeof body.error?.message === "string") info = { message: body.error.message, type: typeof body.error.type === "string" ? body.error.type : "api_error" };
  } catch {
    // keep the generic message
  }
  const headers = new Headers();
  for (const name of ["retry-after", "x-request-id"]) {
    const v = res.headers.get(name);
    if (v !== null) headers.set(name, v);
  }
  return familyErrorResponse(format, res.status, info, headers);
}
