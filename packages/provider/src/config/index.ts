export { ConfigError, configFilePath, loadConfigFile, parseConfig } from "./load.js";
export { resolveConfig, showConfig, defaultModelId, type StartFlags } from "./resolve.js";
export { isAvailable, msUntilNextCheck, type ScheduleWindow } from "./schedule.js";
export type { EffectiveConfig, ModelConfig } from "./schema.js";
