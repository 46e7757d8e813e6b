export type * from "./types.js";
export { SqlModelManifests } from "./models-sql.js";
export { MODELS_MIGRATION } from "./migration.js";
