export * from "./version.js";
export * from "./frames/index.js";
export * from "./api/openai/index.js";
export * from "./seal/index.js";
export * from "./attest/index.js";
export * from "./e2e-wire/index.js";
