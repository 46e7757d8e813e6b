export * from "./network.js";
export * from "./ports.js";
export * from "./process.js";
export * from "./file-server.js";
