import { PRIVACY_E2E, PRIVACY_HEADER, sealRequest, utf8Encode, type SealedApiRequest } from "@darkbloom/protocol";
import { copyResponseHeaders, describeRequest, endpointKey, errorResponse, estimateInputTokens, openAIErrorBody, type ErrorInfo } from "./http.js";
import { KeyDirectory, type AcceptKey } from "./keys.js";
import { SealedStreamReader } from "./unseal.js";

export interface PrivateFetchOptions {
  /** The coordinator's OpenAI base URL, e.g. "http://127.0.0.1:8080/v1". */
  baseURL: string;
  /** `sk-db-…` API key (used for the keys lookup; the wrapped client sends its own header too). */
  apiKey: string;
  /** How many attested providers to seal each request to (default 4). */
  maxRecipients?: number;
  /** Underlying fetch (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** How long verified provider keys are cached per model (default 30 s). */
  keysTtlMs?: number;
  /** Extra policy on top of attestation verification (e.g. pin identity keys, require "hardware"). */
  acceptKey?: AcceptKey;
  /**
   * Debug hook: called once per sealed request when the coordinator's response headers arrive,
   * with the client-side phases in milliseconds (the server's are in its Server-Timing header).
   */
  onTiming?: (timing: ClientTiming) => void;
}

/** Client-side latency of one sealed request (ms). */
export interface ClientTiming {
  /** Reading and checking the caller's body. */
  prepare: number;
  /** Attested provider keys (0 when cached). */
  keys: number;
  /** HPKE-sealing the body to the recipients. */
  seal: number;
  /** Request sent → coordinator response headers. */
  upstream: number;
}

const DEFAULT_MAX_RECIPIENTS = 4;
const DEFAULT_KEYS_TTL_MS = 30_000;
const SSE_SEPARATOR = new Uint8Array([10, 10]);

/**
 * A `fetch` that end-to-end encrypts `POST {baseURL}/chat/completions`: the body is sealed to
 * attested provider keys, and the sealed response stream is verified and decrypted so the caller
 * sees exactly the provider's OpenAI bytes. All other requests pass through unchanged. Drop-in for
 * the `fetch` option of the `openai` client.
 */
export function privateFetch(opts: PrivateFetchOptions): typeof fetch {
  const base = opts.baseURL.replace(/\/+$/, "");
  const chatEndpoint = endpointKey(`${base}/chat/completions`);
  const maxRecipients = Math.max(1, Math.floor(opts.maxRecipients ?? DEFAULT_MAX_RECIPIENTS));
  const underlying = (): typeof fetch => opts.fetch ?? globalThis.fetch.bind(globalThis);
  const keys = new KeyDirectory(base, opts.apiKey, underlying, opts.keysTtlMs ?? DEFAULT_KEYS_TTL_MS, opts.acceptKey);

  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = describeRequest(input, init);
    if (req.method !== "POST" || endpointKey(req.url) !== chatEndpoint) return underlying()(input, init);

    const now = () => performance.now();
    const t0 = now();
    const text = await req.text();
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TypeError("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return errorResponse(400, { message: "request body must be a JSON object", type: "invalid_request_error", code: "invalid_json" });
    }
    const model = body.model;
    if (typeof model !== "string" || model.length === 0) {
      return errorResponse(400, { message: "'model' is required", type: "invalid_request_error", code: null, param: "model" });
    }

    const t1 = now();
    const lookup = await keys.get(model);
    if ("response" in lookup) return lookup.response;
    const recipients = lookup.keys.slice(0, maxRecipients).map(({ kid, publicKey }) => ({ kid, publicKey }));
    const t2 = now();
    const { envelope, responseKeys } = await sealRequest(utf8Encode(text), recipients);
    const t3 = now();

    const stream = body.stream === true;
    const sealedBody: SealedApiRequest = {
      model,
      stream,
      input_tokens_estimate: estimateInputTokens(body),
      sealed: envelope,
    };
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    if (typeof maxTokens === "number" && Number.isInteger(maxTokens) && maxTokens > 0) sealedBody.max_tokens = maxTokens;

    const headers = new Headers(req.headers);
    headers.delete("content-length");
    headers.set("content-type", "application/json");
    headers.set("accept", "text/event-stream");
    headers.set(PRIVACY_HEADER, PRIVACY_E2E);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${opts.apiKey}`);
    const postInit: RequestInit = { method: "POST", headers, body: JSON.stringify(sealedBody) };
    if (req.signal) postInit.signal = req.signal;

    const res = await underlying()(`${base}/chat/completions`, postInit);
    opts.onTiming?.({ prepare: t1 - t0, keys: t2 - t1, seal: t3 - t2, upstream: now() - t3 });
    if (res.status !== 200) {
      keys.invalidate(model);
      return res;
    }
    const contentType = res.headers.get("content-type") ?? "";
    if (!res.body || !contentType.includes("text/event-stream")) {
      await res.body?.cancel().catch(() => undefined);
      return errorResponse(
        502,
        { message: "coordinator answered an e2e request without a sealed event stream", type: "api_error", code: "e2e_not_sealed" },
        copyResponseHeaders(res.headers, "application/json"),
      );
    }
    const reader = new SealedStreamReader(res.body, responseKeys);
    return stream ? streamResponse(reader, res.headers) : await bufferedResponse(reader, res.headers);
  };
  return wrapped as typeof fetch;
}

/** The decrypted OpenAI SSE bytes as they arrive; errors become an in-band `data: {"error":…}` event. */
function streamResponse(reader: SealedStreamReader, upstream: Headers): Response {
  // Last two plaintext bytes seen (-1 = none), to know whether we are on an SSE event boundary.
  let last = -1;
  let beforeLast = -1;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const part = await reader.next();
        if (part.kind === "data") {
          if (part.bytes.length === 0) continue;
          const b = part.bytes;
          beforeLast = b.length >= 2 ? b[b.length - 2]! : last;
          last = b[b.length - 1]!;
          controller.enqueue(part.bytes);
          return;
        }
        if (part.kind === "error") {
          // Start on an event boundary even if the failure cut a plaintext event short.
          const needsBreak = last !== -1 && !(last === 10 && beforeLast === 10);
          if (needsBreak) controller.enqueue(SSE_SEPARATOR);
          controller.enqueue(utf8Encode(errorEvent(part.error)));
        }
        controller.close();
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: 200, headers: copyResponseHeaders(upstream, "text/event-stream; charset=utf-8") });
}

function errorEvent(err: ErrorInfo): string {
  return `data: ${JSON.stringify(openAIErrorBody(err))}\n\n`;
}

/** Non-streaming: the whole decrypted JSON body, or a 502 OpenAI error. */
async function bufferedResponse(reader: SealedStreamReader, upstream: Headers): Promise<Response> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const part = await reader.next();
    if (part.kind === "data") {
      parts.push(part.bytes);
      size += part.bytes.length;
      continue;
    }
    if (part.kind === "error") {
      return errorResponse(502, part.error, copyResponseHeaders(upstream, "application/json"));
    }
    const out = new Uint8Array(size);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return new Response(out, { status: 200, headers: copyResponseHeaders(upstream, "application/json") });
  }
}
