import { randomBytes } from "node:crypto";
import {
  ChatStreamEncoder,
  chatCompletionBody,
  chatUsage,
  toolCallSchema,
  type ChatFinishReason,
  type ChatParams,
  type ChatResponseToolCall,
} from "@darkbloom/protocol";
import { JSON_OBJECT_SCHEMA, type GenerateRequest, type GenerationResult } from "../engine/index.js";
import { ToolCallAssembler } from "./tool-call-assembler.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** The engine request for a chat request: sampling, and the grammar for JSON output or tool calls. */
export function generateRequest(params: ChatParams, maxTokens: number, signal?: AbortSignal): GenerateRequest {
  const req: GenerateRequest = {
    messages: params.messages,
    maxTokens,
    stop: params.stop,
    ...(params.temperature !== undefined && { temperature: params.temperature }),
    ...(params.topP !== undefined && { topP: params.topP }),
    ...(params.seed !== undefined && { seed: params.seed }),
    ...(signal && { signal }),
  };
  const rf = params.responseFormat;
  if (rf) req.json = rf.type === "json_object" ? JSON_OBJECT_SCHEMA : rf.schema;
  if (params.tools.length > 0) {
    const choice = params.toolChoice;
    req.tools = {
      definitions: params.tools.map((t) => t.definition),
      mode: choice === "none" ? "none" : choice === "auto" ? "auto" : "required",
      callSchema: toolCallSchema(params.tools, choice),
    };
    const only = typeof choice === "object" ? params.tools.find((t) => t.name === choice.name) : params.tools.length === 1 ? params.tools[0] : undefined;
    if (only && choice !== "auto" && choice !== "none") req.tools.forced = { name: only.name, arguments: only.parameters };
  }
  return req;
}

/** Generates one chat completion and writes it to `sink` in OpenAI's own wire format. */
export async function renderChat(
  engine: ChatEngine,
  params: ChatParams,
  sink: ResponseSink,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<GenerationResult> {
  const meta = {
    id: `chatcmpl-${randomBytes(12).toString("hex")}`,
    model: params.model,
    created: Math.floor(now() / 1000),
  };
  const request = generateRequest(params, params.maxTokens, signal);
  // Without an explicit limit, generate until the context is full (as OpenAI does).
  if (!params.maxTokensExplicit) {
    request.maxTokens = Math.max(1, Math.min(params.maxTokens, engine.maxCompletionTokens({ messages: params.messages }, request.tools)));
  }
  const stream = engine.generate(request);
  let call: ToolCallAssembler | undefined;
  const finishReason = (result: GenerationResult, end: ReturnType<ToolCallAssembler["end"]> | undefined): ChatFinishReason =>
    end?.complete && result.finishReason === "stop" ? "tool_calls" : result.finishReason;

  if (params.stream) {
    const enc = new ChatStreamEncoder({ ...meta, includeUsage: params.includeUsage });
    sink.write(enc.start(), false, 0);
    for await (const { text, tokens, toolCall } of stream) {
      if (!toolCall) {
        if (text.length > 0) sink.write(enc.delta(text), false, tokens);
        continue;
      }
      call ??= new ToolCallAssembler();
      const piece = call.push(text);
      let out = piece.start ? enc.toolCallStart(0, piece.start.id, piece.start.name) : "";
      if (piece.arguments.length > 0) out += enc.toolCallArguments(0, piece.arguments);
      if (out.length > 0) sink.write(out, false, tokens);
    }
    const result = await stream.result;
    const end = call?.end();
    let tail = end?.start ? enc.toolCallStart(0, end.start.id, end.start.name) : "";
    if (end && end.arguments.length > 0) tail += enc.toolCallArguments(0, end.arguments);
    const { promptTokens, completionTokens } = result.usage;
    sink.write(tail + enc.finish(finishReason(result, end), chatUsage(promptTokens, completionTokens)), true, completionTokens);
    return result;
  }
  let content = "";
  for await (const { text, toolCall } of stream) {
    if (toolCall) (call ??= new ToolCallAssembler()).push(text);
    else content += text;
  }
  const result = await stream.result;
  const end = call?.end();
  const toolCalls: ChatResponseToolCall[] = end?.call ? [end.call] : [];
  const { promptTokens, completionTokens } = result.usage;
  const usage = chatUsage(promptTokens, completionTokens);
  sink.write(chatCompletionBody(meta, content, finishReason(result, end), usage, toolCalls), true, completionTokens);
  return result;
}
