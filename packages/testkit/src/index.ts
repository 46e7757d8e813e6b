// @darkbloom/testkit: deterministic GGUF test models (and the GGUF writer/reader behind them).
export * from "./model/index.js";
export * from "./gguf/index.js";
// Loopback harness: real coordinator / provider / `darkbloom local` processes for system tests.
export * from "./harness/index.js";
