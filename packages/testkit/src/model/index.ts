export { makeModel, modelFileSize, type MakeModelOptions, type MakeModelResult } from "./make-model.js";
export { ensureTestModel, defaultModelDir, testModelFileName, type EnsureTestModelOptions } from "./ensure.js";
export { PRESETS, PRESET_NAMES, isPreset, type Preset, type PresetSpec } from "./presets.js";
export { buildVocab, bytesToUnicode, CHATML_TEMPLATE, CONTROL_TOKENS, VOCAB_SIZE, type Vocab } from "./tokenizer.js";
export { BIAS, tokenBiases, type EosMode } from "./weights.js";
export { GENERATOR_VERSION } from "./metadata.js";
export { CHATML_TOOLS_TEMPLATE } from "./chat-templates.js";
