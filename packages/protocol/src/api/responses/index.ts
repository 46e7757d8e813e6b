export * from "./request.js";
export * from "./encode.js";
