export * from "./common.js";
export * from "./provider-frames.js";
export * from "./coordinator-frames.js";
export * from "./model-load-frames.js";
export * from "./decode.js";
export * from "./close-codes.js";
