// @darkbloom/testkit: deterministic GGUF test models (and the GGUF writer/reader behind them).
export * from "./model/index.js";
export * from "./gguf/index.js";
