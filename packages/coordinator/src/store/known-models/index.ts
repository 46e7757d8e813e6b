export type * from "./types.js";
export { SqlKnownModels } from "./known-models-sql.js";
export { KNOWN_MODELS_MIGRATION } from "./migration.js";
