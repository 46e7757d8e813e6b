export { buildRouter } from "./routes.js";
export type { ApiDeps } from "./deps.js";
export { errorFormatForPath } from "./anthropic/index.js";
