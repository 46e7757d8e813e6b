export type * from "./types.js";
export { SqlDisputes } from "./disputes-sql.js";
export { DISPUTES_MIGRATION } from "./migration.js";
