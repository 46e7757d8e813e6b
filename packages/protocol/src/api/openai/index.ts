export * from "./chat-request.js";
export * from "./chat-encode.js";
export * from "./errors.js";
