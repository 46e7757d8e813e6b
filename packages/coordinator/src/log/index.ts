export { createLogger, errorFields, type Logger, type LogFields, type LogValue, type LoggerOptions } from "./logger.js";
