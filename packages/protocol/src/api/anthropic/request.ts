import { z } from "zod";
import { CHAT_LIMITS } from "../openai/chat-request.js";
import { ChatRequestError } from "../openai/chat-request-error.js";
import { absent, isRecord, parseWith, rejectUnsupportedParams, type UnsupportedParam } from "../common/request-parse.js";
import type { GenerationParams, PromptMessage } from "../common/params.js";

const TOOLS = "tool use is not supported on /v1/messages yet";
const emptyArray = (v: unknown) => Array.isArray(v) && v.length === 0;

const UNSUPPORTED: Readonly<Record<string, UnsupportedParam>> = {
  tools: { noOp: (v) => absent(v) || emptyArray(v), message: `tools: ${TOOLS}` },
  tool_choice: {
    noOp: (v) => absent(v) || (isRecord(v) && (v.type === "auto" || v.type === "none")),
    message: `tool_choice: ${TOOLS}`,
  },
  thinking: {
    noOp: (v) => absent(v) || (isRecord(v) && v.type === "disabled"),
    message: "thinking: extended thinking is not supported by the served models",
  },
  mcp_servers: { noOp: (v) => absent(v) || emptyArray(v), message: "mcp_servers: MCP connectors are not supported" },
  container: { noOp: absent, message: "container: code execution containers are not supported" },
};

const TextBlock = z.object({ type: z.literal("text"), text: z.string() });
const NON_TEXT_BLOCK = "only text content blocks are supported (images, documents and tool blocks are not)";

const Message = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(TextBlock, { error: NON_TEXT_BLOCK }).max(256)]),
});

const System = z.union([z.string(), z.array(TextBlock).max(256)]);

/** Fields shared by `POST /v1/messages` and `POST /v1/messages/count_tokens`. */
const conversation = {
  model: z.string().min(1).max(256),
  messages: z.array(Message).min(1).max(CHAT_LIMITS.maxMessages),
  system: System.nullish(),
};

/**
 * Anthropic `POST /v1/messages`. `max_tokens` is required (as Anthropic requires it). Unknown
 * fields are ignored; features we cannot honour (tools, thinking…) are refused by name.
 */
export const MessagesRequestSchema = z.object({
  ...conversation,
  max_tokens: z.number().int().positive().max(CHAT_LIMITS.maxTokensCeiling),
  stop_sequences: z.array(z.string().min(1).max(CHAT_LIMITS.maxStopLength)).max(CHAT_LIMITS.maxStopSequences).nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
  metadata: z.object({ user_id: z.string().max(256).nullish() }).nullish(),
});
export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;

export const CountTokensRequestSchema = z.object(conversation);

export interface MessagesParams extends GenerationParams {
  messages: PromptMessage[];
}

export interface CountTokensParams {
  model: string;
  messages: PromptMessage[];
}

function blocksText(content: string | { text: string }[]): string {
  return typeof content === "string" ? content : content.map((b) => b.text).join("");
}

function toPrompt(req: z.infer<typeof CountTokensRequestSchema>): PromptMessage[] {
  const messages: PromptMessage[] = [];
  if (req.system != null) {
    const system = blocksText(req.system);
    if (system.length > 0) messages.push({ role: "system", content: system });
  }
  for (const m of req.messages) messages.push({ role: m.role, content: blocksText(m.content) });
  return messages;
}

function checkObject(body: unknown): asserts body is Record<string, unknown> {
  if (!isRecord(body)) throw new ChatRequestError("invalid request: body: expected a JSON object", null);
  rejectUnsupportedParams(body, UNSUPPORTED);
}

export function parseMessagesRequest(body: unknown): MessagesParams {
  checkObject(body);
  const req = parseWith(MessagesRequestSchema, body);
  const params: MessagesParams = {
    model: req.model,
    messages: toPrompt(req),
    stream: req.stream === true,
    maxTokens: req.max_tokens,
    maxTokensExplicit: true,
    stop: req.stop_sequences ?? [],
  };
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  if (req.top_k != null) params.topK = req.top_k;
  return params;
}

export function parseCountTokensRequest(body: unknown): CountTokensParams {
  checkObject(body);
  const req = parseWith(CountTokensRequestSchema, body);
  return { model: req.model, messages: toPrompt(req) };
}
