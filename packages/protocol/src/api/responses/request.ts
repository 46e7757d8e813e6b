import { z } from "zod";
import { CHAT_LIMITS } from "../openai/chat-request.js";
import { ChatRequestError } from "../openai/chat-request-error.js";
import { absent, isRecord, parseWith, rejectUnsupportedParams, type UnsupportedParam } from "../common/request-parse.js";
import type { GenerationParams, PromptMessage } from "../common/params.js";

const TOOLS = "tool calling is not supported on /v1/responses yet";
const emptyArray = (v: unknown) => Array.isArray(v) && v.length === 0;

const UNSUPPORTED: Readonly<Record<string, UnsupportedParam>> = {
  previous_response_id: {
    noOp: absent,
    message: "previous_response_id is not supported: Darkbloom stores no responses (store is ignored); send the whole conversation in `input`",
  },
  conversation: { noOp: absent, message: "conversation is not supported: Darkbloom stores no conversations; send the whole conversation in `input`" },
  prompt: { noOp: absent, message: "prompt (stored prompt templates) is not supported; send `instructions` and `input`" },
  background: { noOp: (v) => absent(v) || v === false, message: "background responses are not supported: nothing is stored" },
  tools: { noOp: (v) => absent(v) || emptyArray(v), message: `tools is not supported: ${TOOLS}` },
  tool_choice: { noOp: (v) => absent(v) || v === "none" || v === "auto", message: `tool_choice is not supported: ${TOOLS}` },
  text: {
    noOp: (v) => absent(v) || (isRecord(v) && (absent(v.format) || (isRecord(v.format) && v.format.type === "text"))),
    message: 'text.format other than {"type": "text"} is not supported on /v1/responses yet',
  },
  reasoning: { noOp: (v) => absent(v) || (isRecord(v) && Object.values(v).every(absent)), message: "reasoning is not supported by the served models" },
  top_logprobs: { noOp: (v) => absent(v) || v === 0, message: "top_logprobs is not supported yet" },
  include: { noOp: (v) => absent(v) || emptyArray(v), message: "include is not supported: there are no extra outputs to include" },
  truncation: { noOp: (v) => absent(v) || v === "disabled", message: 'truncation is not supported; omit it or send "disabled"' },
};

const TextPart = z.object({ type: z.enum(["input_text", "output_text"]), text: z.string() });
const MessageItem = z.object({
  type: z.literal("message").optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(TextPart).max(256)]),
});

/**
 * OpenAI `POST /v1/responses`: `input` is a string or a list of message items with text content.
 * `store` is accepted and ignored (nothing is ever stored); `previous_response_id` is refused.
 * Unknown fields are ignored, as OpenAI does.
 */
export const ResponsesRequestSchema = z.object({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(MessageItem).min(1).max(CHAT_LIMITS.maxMessages)]),
  instructions: z.string().nullish(),
  max_output_tokens: z.number().int().positive().max(CHAT_LIMITS.maxTokensCeiling).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  user: z.string().max(256).nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

export interface ResponsesParams extends GenerationParams {
  messages: PromptMessage[];
  /** Echoed in the response object, as OpenAI does. */
  echo: {
    instructions: string | null;
    maxOutputTokens: number | null;
    temperature: number;
    topP: number;
    /** Always false: nothing is stored, whatever the request's `store` said. */
    store: false;
    user: string | null;
    metadata: Record<string, string>;
  };
}

export function parseResponsesRequest(body: unknown): ResponsesParams {
  if (!isRecord(body)) throw new ChatRequestError("invalid request: body: expected a JSON object", null);
  rejectUnsupportedParams(body, UNSUPPORTED);
  const req = parseWith(ResponsesRequestSchema, body);
  const messages: PromptMessage[] = [];
  if (req.instructions != null && req.instructions.length > 0) messages.push({ role: "system", content: req.instructions });
  if (typeof req.input === "string") messages.push({ role: "user", content: req.input });
  else {
    for (const item of req.input) {
      const content = typeof item.content === "string" ? item.content : item.content.map((p) => p.text).join("");
      messages.push({ role: item.role === "developer" ? "system" : item.role, content });
    }
  }
  const params: ResponsesParams = {
    model: req.model,
    messages,
    stream: req.stream === true,
    maxTokens: req.max_output_tokens ?? CHAT_LIMITS.defaultMaxTokens,
    maxTokensExplicit: req.max_output_tokens != null,
    stop: [],
    echo: {
      instructions: req.instructions ?? null,
      maxOutputTokens: req.max_output_tokens ?? null,
      temperature: req.temperature ?? 1,
      topP: req.top_p ?? 1,
      store: false,
      user: req.user ?? null,
      metadata: req.metadata ?? {},
    },
  };
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  return params;
}
