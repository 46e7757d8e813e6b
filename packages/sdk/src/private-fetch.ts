import {
  PRIVACY_E2E,
  PRIVACY_HEADER,
  MIN_TRUST_HEADER,
  clientMaxTokens,
  clientStream,
  errorFormatOf,
  sealRequest,
  utf8Encode,
  type ErrorFormat,
  type SealedApiRequest,
  type SignedReceipt,
} from "@darkbloom/protocol";
import { resolveEndpoints } from "./endpoints.js";
import { familyErrorEvent, familyErrorResponse, reshapeError } from "./family-errors.js";
import { copyResponseHeaders, describeRequest, estimateInputTokens } from "./http.js";
import { KeyDirectory, type AcceptKey } from "./keys.js";
import { trustPolicy } from "./trust/index.js";
import { checkedStream, type ReceiptMismatchError } from "./receipts/index.js";
import { SealedStreamReader } from "./unseal.js";

export interface PrivateFetchOptions {
  /**
   * The coordinator's URL: its API root ("http://127.0.0.1:8080/v1", what the openai client takes)
   * or its root ("http://127.0.0.1:8080", what the Anthropic client takes). A URL ending in `/v1`
   * is the API root; any other is the root, with the API under its `/v1`. One privateFetch serves
   * both clients.
   */
  baseURL: string;
  /** `sk-db-…` API key (used for the keys lookup; the wrapped client sends its own header too). */
  apiKey: string;
  /** How many attested providers to seal each request to (default 4). */
  maxRecipients?: number;
  /** Underlying fetch (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** How long verified provider keys are cached per model (default 30 s). */
  keysTtlMs?: number;
  /**
   * Lowest provider trust level to seal to (default `self_signed`). `hardware` also asks the
   * coordinator (X-Darkbloom-Min-Trust) to route only to hardware-attested providers.
   */
  minTrust?: "self_signed" | "hardware";
  /** Oldest provider attestation accepted, either way from this clock (default 15 min). */
  maxAttestationAgeMs?: number;
  /** Seal only to providers whose attestation is signed by one of these Ed25519 identity keys (base64). */
  pinnedIdentityKeys?: readonly string[];
  /** Extra policy on top of attestation verification and the options above. */
  acceptKey?: AcceptKey;
  /**
   * Debug hook: called once per sealed request when the coordinator's response headers arrive,
   * with the client-side phases in milliseconds (the server's are in its Server-Timing header).
   */
  onTiming?: (timing: ClientTiming) => void;
  /**
   * Check each response's signed usage receipt against what was decrypted (default true): a
   * receipt that is missing, forged or claims more than the response supports raises a
   * ReceiptMismatchError when the body is read.
   */
  verifyReceipts?: boolean;
  /** File `POST /v1/disputes` for a signed receipt that disagrees (default true). */
  fileDisputes?: boolean;
  /** Called with every receipt that verified (token counts and a hash, no content). */
  onReceipt?: (receipt: SignedReceipt) => void;
  /**
   * When set, a receipt mismatch is reported here (the dispute is still filed) and the response
   * ends normally instead of raising: for callers that cannot take an error after the body, such
   * as the private proxy (a plain client would retry a broken response and pay twice).
   */
  onReceiptMismatch?: (err: ReceiptMismatchError) => void;
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
 * A `fetch` that end-to-end encrypts every inference endpoint — `POST /v1/chat/completions`,
 * `/v1/completions`, `/v1/responses`, `/v1/messages` and `/v1/messages/count_tokens`: the body is
 * sealed to attested provider keys (only routing metadata stays in clear: model, stream,
 * max_tokens, a token estimate — the same for every family), and the sealed response stream is
 * verified and decrypted so the caller sees exactly the provider's bytes in the API's own wire
 * format. All other requests pass through unchanged. Drop-in for the `fetch` option of the `openai`
 * client (baseURL …/v1) and of the `@anthropic-ai/sdk` client (baseURL = the coordinator root).
 * Errors it answers itself take the family's shape (Anthropic's for /v1/messages*).
 */
export function privateFetch(opts: PrivateFetchOptions): typeof fetch {
  const endpoints = resolveEndpoints(opts.baseURL);
  const maxRecipients = Math.max(1, Math.floor(opts.maxRecipients ?? DEFAULT_MAX_RECIPIENTS));
  const underlying = (): typeof fetch => opts.fetch ?? globalThis.fetch.bind(globalThis);
  const policy = trustPolicy({
    ...(opts.minTrust !== undefined && { minTrust: opts.minTrust }),
    ...(opts.maxAttestationAgeMs !== undefined && { maxAttestationAgeMs: opts.maxAttestationAgeMs }),
    ...(opts.pinnedIdentityKeys !== undefined && { pinnedIdentityKeys: opts.pinnedIdentityKeys }),
  });
  const keys = new KeyDirectory(endpoints.apiBase, opts.apiKey, underlying, opts.keysTtlMs ?? DEFAULT_KEYS_TTL_MS, opts.acceptKey, policy);

  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = describeRequest(input, init);
    const api = req.method === "POST" ? endpoints.kindOf(req.url) : undefined;
    if (api === undefined) return underlying()(input, init);
    const format = errorFormatOf(api);

    const now = () => performance.now();
    const t0 = now();
    const text = await req.text();
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TypeError("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return familyErrorResponse(format, 400, { message: "request body must be a JSON object", type: "invalid_request_error", code: "invalid_json" });
    }
    const model = body.model;
    if (typeof model !== "string" || model.length === 0) {
      return familyErrorResponse(format, 400, { message: "'model' is required", type: "invalid_request_error", code: null, param: "model" });
    }

    const t1 = now();
    const lookup = await keys.get(model);
    if ("response" in lookup) return reshapeError(format, lookup.response);
    // Nothing verified: never seal to a forged, stale or mismatched key; say why, typed.
    if ("error" in lookup) throw lookup.error;
    const recipients = lookup.keys.slice(0, maxRecipients).map(({ kid, publicKey }) => ({ kid, publicKey }));
    const t2 = now();
    const { envelope, responseKeys } = await sealRequest(utf8Encode(text), recipients);
    const t3 = now();

    const stream = clientStream(api, body);
    const sealedBody: SealedApiRequest = {
      model,
      stream,
      input_tokens_estimate: estimateInputTokens(body),
      sealed: envelope,
    };
    const maxTokens = clientMaxTokens(api, body);
    if (maxTokens !== undefined) sealedBody.max_tokens = maxTokens;

    const headers = new Headers(req.headers);
    headers.delete("content-length");
    headers.set("content-type", "application/json");
    headers.set("accept", "text/event-stream");
    headers.set(PRIVACY_HEADER, PRIVACY_E2E);
    if (policy.minTrust !== "self_signed") headers.set(MIN_TRUST_HEADER, policy.minTrust);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${opts.apiKey}`);
    const postInit: RequestInit = { method: "POST", headers, body: JSON.stringify(sealedBody) };
    if (req.signal) postInit.signal = req.signal;

    // The family travels in the URL; the coordinator relays the sealed body as that family.
    const res = await underlying()(endpoints.url(api), postInit);
    opts.onTiming?.({ prepare: t1 - t0, keys: t2 - t1, seal: t3 - t2, upstream: now() - t3 });
    if (res.status !== 200) {
      keys.invalidate(model);
      return res;
    }
    const contentType = res.headers.get("content-type") ?? "";
    if (!res.body || !contentType.includes("text/event-stream")) {
      await res.body?.cancel().catch(() => undefined);
      return familyErrorResponse(
        format,
        502,
        { message: "coordinator answered an e2e request without a sealed event stream", type: "api_error", code: "e2e_not_sealed" },
        copyResponseHeaders(res.headers, "application/json"),
      );
    }
    let conclude: (() => ReceiptMismatchError | undefined) | undefined;
    let reader: SealedStreamReader;
    if (opts.verifyReceipts === false) reader = new SealedStreamReader(res.body, responseKeys);
    else {
      const identityKeys = new Map(lookup.keys.map((k) => [k.kid, k.identityKey]));
      const policy = { fetchFn: underlying, apiBase: endpoints.apiBase, apiKey: opts.apiKey, fileDisputes: opts.fileDisputes !== false, ...(opts.onReceipt && { onReceipt: opts.onReceipt }) };
      const request = { api, stream, model, body: text, parsed: body, identityKeys };
      ({ reader, conclude } = checkedStream(res.body, responseKeys, request, policy, res.headers.get("x-provider-id") ?? undefined, opts.onReceiptMismatch));
    }
    return stream ? streamResponse(reader, res.headers, format, conclude) : await bufferedResponse(reader, res.headers, format, conclude);
  };
  return wrapped as typeof fetch;
}

/** The decrypted SSE bytes as they arrive; errors become an in-band error event in the family's shape. */
function streamResponse(reader: SealedStreamReader, upstream: Headers, format: ErrorFormat, conclude?: () => ReceiptMismatchError | undefined): Response {
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
        if (part.kind === "receipt") continue;
        if (part.kind === "done") {
          // Everything was delivered; the receipt decides whether the stream ends cleanly.
          const err = conclude?.();
          if (err) controller.error(err);
          else controller.close();
          return;
        }
        if (part.kind === "error") {
          // Start on an event boundary even if the failure cut a plaintext event short.
          const needsBreak = last !== -1 && !(last === 10 && beforeLast === 10);
          if (needsBreak) controller.enqueue(SSE_SEPARATOR);
          controller.enqueue(utf8Encode(familyErrorEvent(format, part.error)));
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

/** Non-streaming: the whole decrypted JSON body, or a 502 in the family's error shape. */
async function bufferedResponse(
  reader: SealedStreamReader,
  upstream: Headers,
  format: ErrorFormat,
  conclude?: () => ReceiptMismatchError | undefined,
): Promise<Response> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const part = await reader.next();
    if (part.kind === "data") {
      parts.push(part.bytes);
      size += part.bytes.length;
      continue;
    }
    if (part.kind === "receipt") continue;
    if (part.kind === "error") {
      return familyErrorResponse(format, 502, part.error, copyResponseHeaders(upstream, "application/json"));
    }
    const err = conclude?.();
    if (err) {
      // The fetch itself succeeds (a rejected fetch would be retried by API clients); reading the body raises the error.
      const failing = new ReadableStream<Uint8Array>({ pull: (c) => c.error(err) });
      return new Response(failing, { status: 200, headers: copyResponseHeaders(upstream, "application/json") });
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
