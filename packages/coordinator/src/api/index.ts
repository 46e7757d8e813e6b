export { buildRouter } from "./routes.js";
export type { ApiDeps } from "./deps.js";
