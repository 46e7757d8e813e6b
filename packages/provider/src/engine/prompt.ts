// Model-bound prompt rendering: chat template → tokens, and the template self-check.
import { LlamaText, SpecialTokensText, readGgufFileInfo, type LlamaModel, type Token } from "node-llama-cpp";
import {
  CHATML_FALLBACK_TEMPLATE,
  compileChatTemplate,
  detectToolSupport,
  selfCheckTemplate,
  type CompiledChatTemplate,
  type PromptPart,
  type TemplateTool,
} from "./chat-template.js";
import { EngineError } from "./errors.js";
import type { ChatMessage, PromptSource, RenderedPrompt } from "./types.js";

export interface PromptRenderer {
  /** "gguf": the model's own template; "chatml-fallback": the model has none. */
  readonly templateSource: "gguf" | "chatml-fallback";
  /** The tool-call syntax the template supports, or undefined when it cannot render tools. */
  readonly toolSupport: "hermes" | undefined;
  /** `tools` go to the template; `assistantPrefix` (template text) is appended after the generation prompt. */
  render(messages: readonly ChatMessage[], tools?: readonly TemplateTool[], assistantPrefix?: string): RenderedPrompt;
  /** Raw text (legacy completions): tokenized as plain text (no special tokens), BOS as the model wants. */
  renderText(text: string): RenderedPrompt;
  /** Either of the above (tools apply to conversations only). */
  renderSource(source: PromptSource, tools?: readonly TemplateTool[], assistantPrefix?: string): RenderedPrompt;
}

export function createPromptRenderer(model: LlamaModel): PromptRenderer {
  const source = model.fileInfo.metadata.tokenizer?.chat_template;
  const hasTemplate = typeof source === "string" && source.trim().length > 0;
  const template = compileChatTemplate(hasTemplate ? source : CHATML_FALLBACK_TEMPLATE, {
    bosToken: model.tokens.bosString ?? "",
    eosToken: model.tokens.eosString ?? "",
  });
  const bos = model.tokens.bos;
  const prependBos = model.tokens.shouldPrependBosToken && bos != null;
  const withBos = (tokens: Token[]): Token[] => {
    if (prependBos && bos != null && tokens[0] !== bos) tokens.unshift(bos);
    return tokens;
  };
  const renderer: PromptRenderer = {
    templateSource: hasTemplate ? "gguf" : "chatml-fallback",
    toolSupport: hasTemplate ? detectToolSupport(template) : undefined,
    renderText(text) {
      const tokens = withBos(model.tokenize(text, false));
      return { text, tokens: tokens.map(Number) };
    },
    renderSource(source, tools, assistantPrefix) {
      return source.prompt !== undefined ? renderer.renderText(source.prompt) : renderer.render(source.messages, tools, assistantPrefix);
    },
    render(messages, tools, assistantPrefix) {
      let parts: PromptPart[];
      try {
        parts = template.render(messages, tools);
        if (assistantPrefix) parts = [...parts, { kind: "template", text: assistantPrefix }];
      } catch (err) {
        throw new EngineError("template_error", `chat template failed to render the conversation: ${errorMessage(err)}`, {
          cause: err,
        });
      }
      const text = LlamaText(parts.map((p) => (p.kind === "template" ? new SpecialTokensText(p.text) : p.text)));
      const tokens = withBos(text.tokenize(model.tokenizer));
      return { text: text.toString(), tokens: tokens.map(Number) };
    },
  };
  return renderer;
}

/**
 * Template self-check: true when the model's chat template (GGUF `tokenizer.chat_template`)
 * renders a sample conversation without throwing. A model without a template fails the check.
 * Given a path, only the GGUF header is read (no weights are loaded).
 */
export async function checkTemplateRender(model: LlamaModel | string): Promise<boolean> {
  try {
    const template = typeof model === "string" ? await templateFromFile(model) : templateFromModel(model);
    return template !== undefined && selfCheckTemplate(template);
  } catch {
    return false;
  }
}

function templateFromModel(model: LlamaModel): CompiledChatTemplate | undefined {
  const source = model.fileInfo.metadata.tokenizer?.chat_template;
  if (typeof source !== "string" || source.trim().length === 0) return undefined;
  return compileChatTemplate(source, {
    bosToken: model.tokens.bosString ?? "",
    eosToken: model.tokens.eosString ?? "",
  });
}

async function templateFromFile(path: string): Promise<CompiledChatTemplate | undefined> {
  const info = await readGgufFileInfo(path, {
    sourceType: "filesystem",
    readTensorInfo: false,
    logWarnings: false,
    ignoreKeys: ["tokenizer.ggml.merges", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"],
  });
  const tokenizer = info.metadata.tokenizer;
  const source = tokenizer?.chat_template;
  if (typeof source !== "string" || source.trim().length === 0) return undefined;
  const vocab = tokenizer?.ggml?.tokens;
  const tokenText = (id: number | undefined): string =>
    id !== undefined && Array.isArray(vocab) ? String(vocab[id] ?? "") : "";
  return compileChatTemplate(source, {
    bosToken: tokenText(tokenizer?.ggml?.bos_token_id),
    eosToken: tokenText(tokenizer?.ggml?.eos_token_id),
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
