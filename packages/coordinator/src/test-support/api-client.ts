// Test-only: small JSON client for coordinator routes.
export interface ApiResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown> & { error?: { message: string; code: string | null; param: string | null } };
}

export interface ApiCall {
  token?: string;
  /** Sent as JSON; a string is sent as-is (malformed bodies). */
  body?: unknown;
  headers?: Record<string, string>;
}

export function apiClient(baseUrl: () => string) {
  return async (method: string, path: string, call: ApiCall = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...call.headers };
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers["content-type"] = "application/json";
      body = typeof call.body === "string" ? call.body : JSON.stringify(call.body);
    }
    const res = await fetch(`${baseUrl()}${path}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as ApiResponse["json"]) : {} };
  };
}

export const chatBody = (model: string, maxTokens = 5) => ({ model, max_tokens: maxTokens, messages: [{ role: "user", content: "hi" }] });
