export * from "./device.js";
export * from "./releases.js";
export * from "./earnings.js";
