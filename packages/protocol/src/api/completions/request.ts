import { z } from "zod";
import { CHAT_LIMITS, openAISamplingFields } from "../openai/chat-request.js";
import { absent, isRecord, parseWith, rejectUnsupportedParams, type UnsupportedParam } from "../common/request-parse.js";
import type { GenerationParams } from "../common/params.js";
import { ChatRequestError } from "../openai/chat-request-error.js";

/** OpenAI's default for the legacy completions endpoint when max_tokens is omitted. */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

const UNSUPPORTED: Readonly<Record<string, UnsupportedParam>> = {
  n: { noOp: (v) => absent(v) || v === 1, message: "n > 1 is not supported; send n = 1" },
  best_of: { noOp: (v) => absent(v) || v === 1, message: "best_of > 1 is not supported; send best_of = 1" },
  echo: { noOp: (v) => absent(v) || v === false, message: "echo is not supported; omit it or send false" },
  logprobs: { noOp: (v) => absent(v) || v === 0, message: "logprobs is not supported yet; omit it" },
  suffix: { noOp: (v) => absent(v) || v === "", message: "suffix (insertion) is not supported; omit it" },
  logit_bias: { noOp: (v) => absent(v) || (isRecord(v) && Object.keys(v).length === 0), message: "logit_bias is not supported yet" },
  frequency_penalty: { noOp: (v) => absent(v) || v === 0, message: "frequency_penalty is not supported yet; omit it or send 0" },
  presence_penalty: { noOp: (v) => absent(v) || v === 0, message: "presence_penalty is not supported yet; omit it or send 0" },
};

const positiveTokens = z.number().int().positive().max(CHAT_LIMITS.maxTokensCeiling);

/**
 * OpenAI `POST /v1/completions` (legacy text completions). One prompt per request: a string, or an
 * array holding one string. Unknown fields are ignored (as OpenAI does); fields we know but cannot
 * honour are refused (UNSUPPORTED) unless they carry their no-op value.
 */
export const CompletionRequestSchema = z.object({
  model: z.string().min(1).max(256),
  prompt: z.union([z.string(), z.array(z.string()).length(1, "exactly one prompt per request (batched prompts are not supported)")]),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: positiveTokens.nullish(),
  ...openAISamplingFields,
  user: z.string().max(256).nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export interface CompletionParams extends GenerationParams {
  prompt: string;
  includeUsage: boolean;
}

/** Parses and normalizes an untrusted JSON value; throws ChatRequestError naming the bad field. */
export function parseCompletionRequest(body: unknown): CompletionParams {
  if (!isRecord(body)) throw new ChatRequestError("invalid request: body: expected a JSON object", null);
  rejectUnsupportedParams(body, UNSUPPORTED);
  const req = parseWith(CompletionRequestSchema, body);
  const stop = req.stop == null ? [] : typeof req.stop === "string" ? [req.stop] : req.stop;
  const params: CompletionParams = {
    model: req.model,
    prompt: typeof req.prompt === "string" ? req.prompt : req.prompt[0]!,
    stream: req.stream === true,
    includeUsage: req.stream === true && req.stream_options?.include_usage === true,
    maxTokens: req.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS,
    maxTokensExplicit: true,
    stop: stop.filter((s) => s.length > 0),
  };
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  if (req.seed != null) params.seed = req.seed;
  return params;
}
