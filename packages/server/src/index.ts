export type { ServerContext } from './app/server-context.js';
export { buildApp } from './build-app.js';
export { buildCli, main } from './cli/main.js';
export { checkRedis } from './redis/check-redis.js';
export { connectRedis } from './redis/connect.js';
export { freePort, startEmbeddedRedis } from './redis/embedded-redis.js';
export { type RunningFerry, type StartFerryOptions, startFerry } from './runtime/start-ferry.js';
