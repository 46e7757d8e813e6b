/**
 * The inference routes (POST): what a drain stops admitting, what /metrics counts as requests by
 * model. Registered in routes.ts; kept here so drain/ and metrics/ need not import the handlers.
 */
export const INFERENCE_PATHS: ReadonlySet<string> = new Set([
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/responses",
  "/v1/messages",
  "/v1/messages/count_tokens",
]);

export function isInferenceRequest(method: string, path: string): boolean {
  return method === "POST" && INFERENCE_PATHS.has(path);
}
