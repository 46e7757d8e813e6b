import {
  ChatRequestError,
  SealedApiRequestSchema,
  parseChatRequest,
  sealRequest,
  type SealedRequest,
} from "@darkbloom/protocol";
import { DEFAULT_MAX_TOKENS, estimateTokensFromBytes } from "../../billing/index.js";
import { HttpError, badRequest } from "../../http/index.js";
import type { LiveProvider } from "../../registry/index.js";

/** The clear routing facts of a chat request plus how to seal it for a chosen provider. */
export interface PreparedChat {
  model: string;
  stream: boolean;
  maxTokens: number;
  inputTokensEstimate: number;
  accept?: (p: LiveProvider) => boolean;
  seal(p: LiveProvider): Promise<SealedRequest> | SealedRequest;
}

/**
 * e2e: validate the clear metadata only; the envelope is forwarded untouched, and only providers
 * whose kid is among its recipients can open it.
 */
export function prepareE2e(body: unknown): PreparedChat {
  const parsed = SealedApiRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
    throw badRequest(`Invalid sealed request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
  }
  const req = parsed.data;
  const kids = new Set(req.sealed.recipients.map((r) => r.kid));
  return {
    model: req.model,
    stream: req.stream,
    maxTokens: req.max_tokens ?? DEFAULT_MAX_TOKENS,
    inputTokensEstimate: req.input_tokens_estimate,
    accept: (p) => kids.has(p.kid),
    seal: () => req.sealed,
  };
}

/**
 * coordinator-sealed: validate the plain OpenAI body, then seal its exact bytes to whichever
 * provider is chosen (again on failover). `keys` receives each provider's response key.
 */
export function prepareCoordinatorSealed(body: unknown, raw: Uint8Array, keys: Map<LiveProvider, Uint8Array>): PreparedChat {
  let params;
  try {
    params = parseChatRequest(body);
  } catch (err) {
    if (err instanceof ChatRequestError) throw badRequest(err.message, err.param);
    throw err;
  }
  return {
    model: params.model,
    stream: params.stream,
    maxTokens: params.maxTokens,
    inputTokensEstimate: estimateTokensFromBytes(raw.byteLength),
    seal: async (p) => {
      const { envelope, responseKeys } = await sealRequest(raw, [{ kid: p.kid, publicKey: p.publicKey }]);
      const key = responseKeys.get(p.kid);
      if (!key) throw new HttpError(500, "sealing produced no response key", "internal_error");
      keys.set(p, key);
      return envelope;
    },
  };
}
