export { type CreateLoggerOptions, createLogger, type Logger, maskValues, redactedPaths } from './logger.js';
