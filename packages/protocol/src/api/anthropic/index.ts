export * from "./request.js";
export * from "./encode.js";
export * from "./errors.js";
