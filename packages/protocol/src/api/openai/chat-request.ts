import { z } from "zod";

/** Limits on a chat request's shape; the body-size limit is enforced before parsing. */
export const CHAT_LIMITS = {
  maxMessages: 1024,
  maxStopSequences: 4,
  maxStopLength: 256,
  defaultMaxTokens: 8192,
  maxTokensCeiling: 131_072,
} as const;

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });

export const ChatMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([z.string(), z.array(TextPartSchema).max(256), z.null()]),
  name: z.string().max(256).optional(),
});

const positiveTokens = z.number().int().positive().max(CHAT_LIMITS.maxTokensCeiling);

/**
 * OpenAI `POST /v1/chat/completions` body. Unknown fields are tolerated (clients send many);
 * every field we act on is validated. `n` other than 1 is rejected by `normalizeChatRequest`.
 */
export const ChatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(ChatMessageSchema).min(1).max(CHAT_LIMITS.maxMessages),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
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
  n: z.number().int().positive().nullish(),
  user: z.string().max(256).optional(),
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

export class ChatRequestError extends Error {
  override readonly name = "ChatRequestError";
  constructor(
    message: string,
    readonly param: string | null,
  ) {
    super(message);
  }
}

function flattenContent(content: z.infer<typeof ChatMessageSchema>["content"]): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((p) => p.text).join("");
}

/** Applies OpenAI semantics (max_completion_tokens precedence, n, developer role) to a parsed body. */
export function normalizeChatRequest(req: ChatCompletionRequest): ChatParams {
  if (req.n != null && req.n !== 1) throw new ChatRequestError("n > 1 is not supported; send n = 1", "n");
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? CHAT_LIMITS.defaultMaxTokens;
  const stop = req.stop == null ? [] : typeof req.stop === "string" ? [req.stop] : req.stop;
  const params: ChatParams = {
    model: req.model,
    messages: req.messages.map((m) => ({
      role: m.role === "developer" ? "system" : m.role === "tool" ? "user" : m.role,
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

/** Parses and normalizes an untrusted JSON value; throws ChatRequestError naming the bad field. */
export function parseChatRequest(body: unknown): ChatParams {
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
    throw new ChatRequestError(`invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
  }
  return normalizeChatRequest(parsed.data);
}
