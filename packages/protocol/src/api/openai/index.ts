export * from "./chat-request.js";
export * from "./chat-request-error.js";
export * from "./chat-support.js";
export * from "./chat-encode.js";
export * from "./errors.js";
export * from "./chat-structured.js";
export * from "./json-schema.js";
