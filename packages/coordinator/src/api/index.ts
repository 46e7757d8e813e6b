export { buildRouter } from "./routes.js";
export type { ApiDeps, OpsHandles } from "./deps.js";
export { errorFormatForPath } from "./anthropic/index.js";
