import {
  ChatRequestError,
  SealedApiRequestSchema,
  parseApiRequest,
  routingFacts,
  sealRequest,
  type ApiKind,
  type SealedRequest,
} from "@darkbloom/protocol";
import { DEFAULT_MAX_TOKENS, promptTokenCap, promptTokenEstimate } from "../../billing/index.js";
import { HttpError, badRequest } from "../../http/index.js";
import type { LiveProvider } from "../../registry/index.js";
import type { DispatchPlan } from "../../relay/index.js";

/** ChaCha20-Poly1305 tag appended to the sealed body (protocol seal/envelope.ts). */
const AEAD_TAG_BYTES = 16;

/**
 * The clear routing facts of a request (any API family) plus how to seal it for a chosen provider:
 * the relay's DispatchPlan (without the ids the route assigns) and what billing needs.
 */
export interface PreparedRequest extends Omit<DispatchPlan, "requestId" | "api"> {
  /** False when the client gave no max_tokens (the reserve may then fit the model's context). */
  maxTokensExplicit: boolean;
  /** Size of the body the provider renders (the plaintext JSON), which bounds its prompt tokens. */
  bodyBytes: number;
  /** The most prompt tokens billable: reserved and capped at this. */
  promptTokenCap: number;
  /** The coordinator's own prompt estimate (billed when content was delivered without a report). */
  promptTokenEstimate: number;
}

/**
 * e2e: validate the clear metadata only; the envelope is forwarded untouched, and only providers
 * whose kid is among its recipients can open it.
 */
export function prepareE2e(api: ApiKind, body: unknown): PreparedRequest {
  const parsed = SealedApiRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
    throw badRequest(`Invalid sealed request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
  }
  const req = parsed.data;
  const kids = new Set(req.sealed.recipients.map((r) => r.kid));
  // The client's estimate is a hint only: an estimate of 0 must not make the prompt free, so
  // reservation and caps come from the sealed body's size, which the client cannot understate.
  const bodyBytes = Math.max(base64DecodedLength(req.sealed.ciphertext) - AEAD_TAG_BYTES, 0);
  const cap = promptTokenCap(bodyBytes);
  const estimate = promptTokenEstimate(bodyBytes);
  return {
    model: req.model,
    stream: api === "messages.count_tokens" ? false : req.stream,
    // count_tokens generates nothing: whatever the metadata says, one token is the frame's minimum.
    maxTokens: api === "messages.count_tokens" ? 1 : (req.max_tokens ?? DEFAULT_MAX_TOKENS),
    maxTokensExplicit: api === "messages.count_tokens" || req.max_tokens !== undefined,
    bodyBytes,
    promptTokenCap: cap,
    promptTokenEstimate: estimate,
    inputTokensEstimate: Math.min(Math.max(req.input_tokens_estimate, estimate), cap),
    accept: (p) => kids.has(p.kid),
    seal: () => req.sealed,
  };
}

/**
 * coordinator-sealed: validate the plain body as a request of `api` (the same parser the provider
 * runs), then seal its exact bytes to whichever provider is chosen (again on failover). `keys`
 * receives each provider's response key.
 */
export function prepareCoordinatorSealed(api: ApiKind, body: unknown, raw: Uint8Array, keys: Map<LiveProvider, Uint8Array>): PreparedRequest {
  let facts;
  try {
    facts = routingFacts(parseApiRequest(api, body));
  } catch (err) {
    if (err instanceof ChatRequestError) throw badRequest(err.message, err.param);
    throw err;
  }
  return {
    model: facts.model,
    stream: facts.stream,
    maxTokens: facts.maxTokens,
    maxTokensExplicit: facts.maxTokensExplicit,
    bodyBytes: raw.byteLength,
    promptTokenCap: promptTokenCap(raw.byteLength),
    promptTokenEstimate: promptTokenEstimate(raw.byteLength),
    inputTokensEstimate: promptTokenEstimate(raw.byteLength),
    seal: async (p) => {
      const { envelope, responseKeys } = await sealRequest(raw, [{ kid: p.kid, publicKey: p.publicKey }]);
      const key = responseKeys.get(p.kid);
      if (!key) throw new HttpError(500, "sealing produced no response key", "internal_error");
      keys.set(p, key);
      return envelope;
    },
  };
}

/** Bytes a standard base64 string decodes to (the schema already checked its shape). */
export function base64DecodedLength(b64: string): number {
  const padding = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding;
}
