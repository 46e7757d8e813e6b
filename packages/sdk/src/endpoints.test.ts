import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveEndpoints } from "./endpoints.js";
import { familyErrorEvent, familyErrorResponse, reshapeError } from "./family-errors.js";

test("the API root and the coordinator root name the same endpoints", () => {
  for (const base of ["http://h:1/v1", "http://h:1/v1/", "http://h:1", "http://h:1/"]) {
    const e = resolveEndpoints(base);
    assert.equal(e.apiBase, "http://h:1/v1", base);
    assert.equal(e.kindOf("http://h:1/v1/chat/completions"), "chat.completions");
    assert.equal(e.kindOf("http://h:1/v1/completions?x=1"), "completions");
    assert.equal(e.kindOf("http://h:1/v1/responses"), "responses");
    assert.equal(e.kindOf("http://h:1/v1/messages"), "messages");
    assert.equal(e.kindOf("http://h:1/v1/messages/count_tokens"), "messages.count_tokens");
    assert.equal(e.kindOf("http://h:1/v1/models"), undefined);
    assert.equal(e.kindOf("http://h:1/v1/messages/batches"), undefined);
    assert.equal(e.url("messages"), "http://h:1/v1/messages");
  }
  assert.equal(resolveEndpoints("https://x/darkbloom").apiBase, "https://x/darkbloom/v1", "a coordinator under a path prefix");
});

test("errors answered by privateFetch take the family's shape", async () => {
  const err = { message: "no provider", type: "service_unavailable", code: "x" };
  assert.deepEqual(await familyErrorResponse("anthropic", 503, err).json(), { type: "error", error: { type: "overloaded_error", message: "no provider" } });
  assert.deepEqual(await familyErrorResponse("openai", 503, err).json(), { error: { message: "no provider", type: "service_unavailable", code: "x", param: null } });
  assert.equal(familyErrorEvent("anthropic", { message: "cut", type: "api_error" }), 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"cut"}}\n\n');
  const upstream = new Response(JSON.stringify({ error: { message: "unknown model", type: "not_found_error" } }), { status: 404, headers: { "x-request-id": "r1" } });
  const reshaped = await reshapeError("anthropic", upstream);
  assert.equal(reshaped.status, 404);
  assert.equal(reshaped.headers.get("x-request-id"), "r1");
  assert.deepEqual(await reshaped.json(), { type: "error", error: { type: "not_found_error", message: "unknown model" } });
});
