// The provider's inference engine: one model, one llama.cpp context with N parallel sequences,
// lock-step continuous batching (see scheduler.ts), the model's own chat template (prompt.ts).
//
//   const engine = await createEngine({ modelPath, modelId, parallel: 4 });
//   const gen = engine.generate({ messages, maxTokens: 256, temperature: 0.7, stop: ["\n\n"], signal });
//   for await (const { text } of gen) process.stdout.write(text);
//   const { finishReason, usage } = await gen.result;
export { Engine, createEngine } from "./engine.js";
export { checkTemplateRender } from "./prompt.js";
export { JSON_OBJECT_SCHEMA } from "./grammar.js";
export { TOOL_CALL_OPEN } from "./chat-template.js";
export {
  EngineError,
  EngineQueueFullError,
  PromptTooLongError,
  EngineClosedError,
  type EngineErrorCode,
} from "./errors.js";
export type {
  ChatMessage,
  ChatRole,
  EngineCapacity,
  EngineOptions,
  EngineState,
  FinishReason,
  GenerateRequest,
  Generation,
  GenerationDelta,
  GenerationResult,
  GenerationTimings,
  GpuOption,
  PromptSource,
  GenerateOptions,
  JsonGrammarSchema,
  ToolCallMessage,
  ToolsRequest,
  RenderedPrompt,
  Usage,
} from "./types.js";
