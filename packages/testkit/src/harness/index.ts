export * from "./network.js";
export * from "./ports.js";
export * from "./process.js";
