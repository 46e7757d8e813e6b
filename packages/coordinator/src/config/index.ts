export { configFromEnv, resolveConfig, ConfigError, type ResolvedConfig } from "./load.js";
export {
  ConfigSchema,
  ENV_NAMES,
  API_KEY_RE,
  LOG_LEVELS,
  type CoordinatorConfig,
  type CoordinatorConfigInput,
  type LogLevel,
} from "./schema.js";
export { parseDatabaseUrl, describeDatabase, DEFAULT_DATABASE_URL, type DatabaseTarget } from "./database-url.js";
export { ACCESS_LOG_LEVELS, HTTP_ENV_NAMES, type AccessLogLevel, type HttpSettings } from "./http.js";
