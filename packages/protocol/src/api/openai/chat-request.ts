import { z } from "zod";
import { ChatRequestError, paramPath } from "./chat-request-error.js";
import {
  normalizeResponseFormat,
  normalizeToolChoice,
  normalizeTools,
  ResponseFormatSchema,
  ToolCallSchema,
  ToolChoiceSchema,
  ToolSchema,
  type ChatTool,
  type ChatToolCall,
  type ResponseFormat,
  type ToolChoice,
} from "./chat-structured.js";
import { rejectUnsupported } from "./chat-support.js";

/** Limits on a chat request's shape; the body-size limit is enforced before parsing. */
export const CHAT_LIMITS = {
  maxMessages: 1024,
  maxStopSequences: 4,
  maxStopLength: 256,
  defaultMaxTokens: 8192,
  maxTokensCeiling: 131_072,
  maxTools: 128,
  maxToolCallsPerMessage: 128,
} as const;

/** `stop` as OpenAI's chat and legacy completions APIs take it: one string or up to 4. */
export const OpenAIStopSchema = z.union([
  z.string().max(CHAT_LIMITS.maxStopLength),
  z.array(z.string().min(1).max(CHAT_LIMITS.maxStopLength)).max(CHAT_LIMITS.maxStopSequences),
]);

/** Sampling fields shared by OpenAI's chat and legacy completions request bodies. */
export const openAISamplingFields = {
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: OpenAIStopSchema.nullish(),
};

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });

/**
 * One chat message. Text, assistant tool calls and tool results are honoured; names, images and
 * other parts are refused by `rejectUnsupported` before this schema runs (chat-support.ts). The
 * fields listed as `unknown` are accepted only with their no-op value (echoed assistant messages
 * carry `refusal: null`), which `rejectUnsupported` has checked. Unknown fields are ignored.
 */
export const ChatMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([z.string(), z.array(TextPartSchema).max(256), z.null()]).optional(),
  tool_calls: z.array(ToolCallSchema).max(CHAT_LIMITS.maxToolCallsPerMessage).nullish(),
  tool_call_id: z.string().min(1).max(256).nullish(),
  name: z.unknown().optional(),
  refusal: z.unknown().optional(),
  function_call: z.unknown().optional(),
  audio: z.unknown().optional(),
});

const positiveTokens = z.number().int().positive().max(CHAT_LIMITS.maxTokensCeiling);
const noOp = z.unknown().optional();

/**
 * OpenAI `POST /v1/chat/completions` body. Unknown parameters are ignored, as OpenAI ignores them.
 * Parameters we cannot honour appear as `unknown`: `rejectUnsupported` (chat-support.ts) has already
 * refused any value of theirs that asks for something (only no-op values such as `logprobs: false`
 * get here). `user`, `safety_identifier`, `prompt_cache_key` and `metadata` are accepted and have
 * no effect on the completion.
 */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(ChatMessageSchema).min(1).max(CHAT_LIMITS.maxMessages),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullish(),
  max_tokens: positiveTokens.nullish(),
  max_completion_tokens: positiveTokens.nullish(),
  ...openAISamplingFields,
  response_format: ResponseFormatSchema.nullish(),
  tools: z.array(ToolSchema).max(CHAT_LIMITS.maxTools).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  // Accepted, no effect on the completion.
  user: z.string().max(256).nullish(),
  safety_identifier: z.string().max(256).nullish(),
  prompt_cache_key: z.string().max(1024).nullish(),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, "at most 16 metadata keys")
    .nullish(),
  // Unsupported (UNSUPPORTED_PARAMS): only their no-op values reach this schema.
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

/** One message of the engine-facing conversation. */
export interface ChatParamsMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ChatToolCall[];
  /** A tool result's call id. */
  toolCallId?: string;
}

/** The engine-facing form of a chat request: one message list and resolved sampling options. */
export interface ChatParams {
  model: string;
  messages: ChatParamsMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number;
  /** False when the client sent no limit: the provider may then fit maxTokens to its context. */
  maxTokensExplicit: boolean;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop: string[];
  /** JSON output constrained by a grammar (json_object or a json_schema). */
  responseFormat?: ResponseFormat;
  /** Tools the model may call (empty: none). */
  tools: ChatTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
}

function flattenContent(content: z.infer<typeof ChatMessageSchema>["content"]): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content.map((p) => p.text).join("");
}

/** Applies OpenAI semantics (max_completion_tokens precedence, developer role) to a parsed body. */
export function normalizeChatRequest(req: ChatCompletionRequest): ChatParams {
  rejectUnsupported(req);
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? CHAT_LIMITS.defaultMaxTokens;
  const stop = req.stop == null ? [] : typeof req.stop === "string" ? [req.stop] : req.stop;
  const tools = normalizeTools(req.tools);
  const toolChoice = normalizeToolChoice(req.tool_choice, tools);
  const responseFormat = normalizeResponseFormat(req.response_format);
  if (responseFormat && toolChoice === "auto") {
    throw new ChatRequestError(
      "response_format json_object/json_schema together with tools is supported only with tool_choice \"required\", a named function or \"none\"",
      "response_format",
    );
  }
  const params: ChatParams = {
    model: req.model,
    messages: normalizeMessages(req.messages),
    stream: req.stream === true,
    includeUsage: req.stream === true && req.stream_options?.include_usage === true,
    maxTokens,
    maxTokensExplicit: req.max_completion_tokens != null || req.max_tokens != null,
    stop: stop.filter((s) => s.length > 0),
    tools,
    toolChoice,
    parallelToolCalls: req.parallel_tool_calls !== false,
  };
  if (responseFormat) params.responseFormat = responseFormat;
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  if (req.seed != null) params.seed = req.seed;
  return params;
}

/** Flattens content, maps `developer` to `system`, and checks tool results answer earlier calls. */
function normalizeMessages(messages: ChatCompletionRequest["messages"]): ChatParamsMessage[] {
  const callIds = new Set<string>();
  return messages.map((m, i): ChatParamsMessage => {
    const content = flattenContent(m.content);
    if (m.role === "tool") {
      if (m.tool_call_id == null) throw new ChatRequestError(`messages.${i}.tool_call_id is required for tool messages`, `messages.${i}.tool_call_id`);
      if (!callIds.has(m.tool_call_id)) {
        throw new ChatRequestError(
          `messages.${i}: a tool message must answer a tool call of an earlier assistant message`,
          `messages.${i}.tool_call_id`,
        );
      }
      return { role: "tool", content, toolCallId: m.tool_call_id };
    }
    if (m.tool_calls && m.tool_calls.length > 0) {
      if (m.role !== "assistant") throw new ChatRequestError(`messages.${i}: only assistant messages carry tool_calls`, `messages.${i}.tool_calls`);
      const toolCalls = m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
      for (const c of toolCalls) callIds.add(c.id);
      return { role: "assistant", content, toolCalls };
    }
    if (m.content === undefined) throw new ChatRequestError(`messages.${i}.content is required`, `messages.${i}.content`);
    return { role: m.role === "developer" ? "system" : m.role, content };
  });
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
    const param = issue ? paramPath(issue.path) : null;
    throw new ChatRequestError(`invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
  }
  return normalizeChatRequest(parsed.data);
}
