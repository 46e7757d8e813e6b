export type * from "./types.js";
export { SqlReleases } from "./releases-sql.js";
export { RELEASES_MIGRATION } from "./migration.js";
