export type * from "./types.js";
export { deviceOfProviderId } from "./types.js";
export { SqlDevices, unlinkedEarningsTarget } from "./devices-sql.js";
export { DEVICES_MIGRATION } from "./migration.js";
