export * from "./aggregate.js";
export * from "./manifest.js";
