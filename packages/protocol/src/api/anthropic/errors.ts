/** Anthropic-shaped error bodies: `{ type: "error", error: { type, message } }`. */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

export function anthropicErrorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

export function anthropicError(status: number, message: string): AnthropicErrorBody {
  return { type: "error", error: { type: anthropicErrorType(status), message } };
}

/** The in-stream `event: error`, as Anthropic sends it (the SDK raises it as an APIError). */
export function anthropicStreamError(status: number, message: string): string {
  return `event: error\ndata: ${JSON.stringify(anthropicError(status, message))}\n\n`;
}

const TYPE_FROM_OPENAI: Record<string, string> = {
  invalid_request_error: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  not_found_error: "not_found_error",
  rate_limit_error: "rate_limit_error",
  insufficient_quota: "billing_error",
  service_unavailable: "overloaded_error",
  timeout_error: "timeout_error",
};

/** Anthropic's error type for an OpenAI-typed error (e.g. one from Darkbloom's e2e wire). */
export function anthropicTypeFromOpenAI(type: string): string {
  return TYPE_FROM_OPENAI[type] ?? "api_error";
}
