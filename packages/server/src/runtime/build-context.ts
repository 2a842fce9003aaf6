import type { FerryConfig, Logger, Secret } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { EnvironmentMap } from '../intake/environment-map.js';
import { RedisLogStore } from '../logs/redis/redis-log-store.js';
import { FerryMetrics } from '../metrics/metrics.js';
import { PipelineQueue } from '../queue/pipeline-queue.js';
import { connectRedis } from '../redis/connect.js';
import { RedisPipelineStore } from '../store/redis/redis-pipeline-store.js';
import type { ServerContext } from './context.js';

export interface BuildContextOptions {
  config: FerryConfig;
  logger: Logger;
  redisUrl: string;
  environments: EnvironmentMap;
  /** Metrics without process defaults (tests build many contexts in one process). */
  defaultMetrics?: boolean;
}

export interface BuiltContext {
  ctx: ServerContext;
  /** Closes the queue and the Redis connections this built. */
  close(): Promise<void>;
}

/** Wires the store, queue, metrics and secrets for one server process. */
export async function buildServerContext(options: BuildContextOptions): Promise<BuiltContext> {
  const { config, logger } = options;
  const prefix = config.redis.keyPrefix;
  const redisError = (err: Error) => logger.warn({ err: err.message }, 'Redis connection error');
  const redis: Redis = connectRedis(options.redisUrl, 'requests', { enableAutoPipelining: true }, redisError);
  const store = new RedisPipelineStore(redis, { prefix });
  const queueConnection = connectRedis(options.redisUrl, 'worker', {}, redisError);
  const queue = new PipelineQueue({
    connection: queueConnection,
    prefix: `${prefix}:bull`,
  });
  const metrics = new FerryMetrics(
    { queueDepth: () => queue.depth(), pipelinesByStatus: () => store.countByStatus() },
    { defaultMetrics: options.defaultMetrics ?? true },
  );
  const projects = new Map<string, Secret>();
  for (const [key, value] of Object.entries(config.gitlab.projects)) projects.set(key, value.webhookSecret);
  const ctx: ServerContext = {
    config,
    logger,
    redis,
    store,
    queue,
    environments: options.environments,
    metrics,
    logs: new RedisLogStore(redis, { prefix, capBytes: config.limits.logCapBytes }),
    observer: metrics,
    publisher: redis,
    cancelChannel: `${prefix}:cancel`,
    readinessChecks: [],
    webhookSecrets:
      config.gitlab.webhookSecret === undefined
        ? { projects }
        : { global: config.gitlab.webhookSecret, projects },
  };
  return {
    ctx,
    async close() {
      await queue.close();
      await queueConnection.quit().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}
