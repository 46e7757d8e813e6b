import { z } from "zod";
import { ChatRequestError, paramPath } from "./chat-request-error.js";
import { rejectUnsupported } from "./chat-support.js";

/** Limits on a chat request's shape; the body-size limit is enforced before parsing. */
export const CHAT_LIMITS = {
  maxMessages: 1024,
  maxStopSequences: 4,
  maxStopLength: 256,
  defaultMaxTokens: 8192,
  maxTokensCeiling: 131_072,
} as const;

const TextPartSchema = z.strictObject({ type: z.literal("text"), text: z.string() });

/**
 * One chat message. Only text is honoured; tool messages, names, images and other parts are
 * refused by `rejectUnsupported` before this schema runs (chat-support.ts). The fields listed as
 * `unknown` are accepted only with their no-op value (echoed assistant messages carry
 * `refusal: null`), which `rejectUnsupported` has checked.
 */
export const ChatMessageSchema = z.strictObject({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string(), z.array(TextPartSchema).max(256), z.null()]),
  name: z.unknown().optional(),
  refusal: z.unknown().optional(),
  tool_calls: z.unknown().optional(),
  tool_call_id: z.unknown().optional(),
  function_call: z.unknown().optional(),
  audio: z.unknown().optional(),
});

const positiveTokens = z.number().int().positive().max(CHAT_LIMITS.maxTokensCeiling);
const noOp = z.unknown().optional();

/**
 * OpenAI `POST /v1/chat/completions` body. Strict, like OpenAI's: an unknown parameter is a 400.
 * Parameters we cannot honour appear as `unknown`: `rejectUnsupported` (chat-support.ts) has already
 * refused any value of theirs that asks for something (only no-op values such as `logprobs: false`
 * get here). `user`, `safety_identifier`, `prompt_cache_key`, `metadata` and `parallel_tool_calls`
 * are accepted and have no effect on the completion.
 */
export const ChatCompletionRequestSchema = z.strictObject({
  model: z.string().min(1).max(256),
  messages: z.array(ChatMessageSchema).min(1).max(CHAT_LIMITS.maxMessages),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullish(),
  max_tokens: positiveTokens.nullish(),
  max_completion_tokens: positiveTokens.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z
    .union([
      z.string().max(CHAT_LIMITS.maxStopLength),
      z.array(z.string().min(1).max(CHAT_LIMITS.maxStopLength)).max(CHAT_LIMITS.maxStopSequences),
    ])
    .nullish(),
  // Accepted, no effect on the completion.
  user: z.string().max(256).nullish(),
  safety_identifier: z.string().max(256).nullish(),
  prompt_cache_key: z.string().max(1024).nullish(),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, "at most 16 metadata keys")
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  // Unsupported (UNSUPPORTED_PARAMS): only their no-op values reach this schema.
  response_format: noOp,
  tools: noOp,
  tool_choice: noOp,
  functions: noOp,
  function_call: noOp,
  n: noOp,
  logprobs: noOp,
  top_logprobs: noOp,
  logit_bias: noOp,
  frequency_penalty: noOp,
  presence_penalty: noOp,
  modalities: noOp,
  audio: noOp,
  prediction: noOp,
  reasoning_effort: noOp,
  verbosity: noOp,
  web_search_options: noOp,
  store: noOp,
  service_tier: noOp,
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** The engine-facing form of a chat request: one message list and resolved sampling options. */
export interface ChatParams {
  model: string;
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number;
  /** False when the client sent no limit: the provider may then fit maxTokens to its context. */
  maxTokensExplicit: boolean;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop: string[];
}

function flattenContent(content: z.infer<typeof ChatMessageSchema>["content"]): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((p) => p.text).join("");
}

/** Applies OpenAI semantics (max_completion_tokens precedence, developer role) to a parsed body. */
export function normalizeChatRequest(req: ChatCompletionRequest): ChatParams {
  rejectUnsupported(req);
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? CHAT_LIMITS.defaultMaxTokens;
  const stop = req.stop == null ? [] : typeof req.stop === "string" ? [req.stop] : req.stop;
  const params: ChatParams = {
    model: req.model,
    messages: req.messages.map((m) => ({
      role: m.role === "developer" ? "system" : m.role,
      content: flattenContent(m.content),
    })),
    stream: req.stream === true,
    includeUsage: req.stream === true && req.stream_options?.include_usage === true,
    maxTokens,
    maxTokensExplicit: req.max_completion_tokens != null || req.max_tokens != null,
    stop: stop.filter((s) => s.length > 0),
  };
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  if (req.seed != null) params.seed = req.seed;
  return params;
}

/**
 * Parses and normalizes an untrusted JSON value; throws ChatRequestError naming the bad field, or
 * the unsupported feature asked for (chat-support.ts).
 */
export function parseChatRequest(body: unknown): ChatParams {
  rejectUnsupported(body);
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      // Nested objects (stream_options, a content part): name the first unknown key.
      const param = paramPath([...issue.path, issue.keys[0] ?? ""]);
      throw new ChatRequestError(`Unrecognized request argument supplied: ${param}`, param);
    }
    const param = issue ? paramPath(issue.path) : null;
    throw new ChatRequestError(`invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
  }
  return normalizeChatRequest(parsed.data);
}
