export { Engine, createEngine } from "./engine.js";
export { checkTemplateRender } from "./prompt.js";
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
  RenderedPrompt,
  Usage,
} from "./types.js";
