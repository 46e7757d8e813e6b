export * from "./params.js";
export * from "./sse.js";
export * from "./request-parse.js";
