// Model size presets. All presets share the same 1024-token vocabulary and tokenizer.
import type { TensorType } from "../gguf/index.js";

export type Preset = "tiny" | "small" | "medium" | "tiny-tools" | "tiny-bad-template";

export interface PresetSpec {
  /** llama.embedding_length */
  embd: number;
  /** llama.block_count */
  layers: number;
  /** llama.feed_forward_length */
  ffn: number;
  /** llama.attention.head_count */
  heads: number;
  /** llama.attention.head_count_kv */
  kvHeads: number;
  /** llama.context_length */
  contextLength: number;
  /** Default tensor type for 2-D weights (norm weights are always f32). */
  defaultType: TensorType;
  /** tokenizer.chat_template: plain ChatML (default) or ChatML with tool calling (Qwen2.5 style). */
  template?: "chatml" | "chatml-tools" | "broken";
  /**
   * Favour the tokens that close JSON (`"`, `}`, `]`), so grammar-constrained output from random
   * weights ends within a few tokens (strings and objects close at once) instead of running on.
   */
  closeJson?: boolean;
}

export const PRESETS: Readonly<Record<Preset, PresetSpec>> = {
  tiny: { embd: 128, layers: 2, ffn: 384, heads: 2, kvHeads: 1, contextLength: 2048, defaultType: "f16" },
  small: { embd: 384, layers: 8, ffn: 1024, heads: 6, kvHeads: 2, contextLength: 2048, defaultType: "f16" },
  medium: { embd: 1024, layers: 12, ffn: 2816, heads: 16, kvHeads: 4, contextLength: 4096, defaultType: "f16" },
  /** tiny with a chat template that supports tools, for end-to-end tool calling and JSON output. */
  "tiny-tools": {
    embd: 128, layers: 2, ffn: 384, heads: 2, kvHeads: 1, contextLength: 2048, defaultType: "f16", template: "chatml-tools", closeJson: true,
  },
  /** tiny whose chat template does not render (fails the provider's template self-check). */
  "tiny-bad-template": { embd: 128, layers: 2, ffn: 384, heads: 2, kvHeads: 1, contextLength: 2048, defaultType: "f16", template: "broken" },
};

export const PRESET_NAMES = Object.keys(PRESETS) as Preset[];

export function isPreset(s: string): s is Preset {
  return Object.prototype.hasOwnProperty.call(PRESETS, s);
}
