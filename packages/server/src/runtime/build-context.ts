import type { FerryConfig, Logger, Secret } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { composeObservers } from '../alerts/observers.js';
import type { ServerContext } from '../app/server-context.js';
import { createGitLabApi, gitlabConfigured } from '../gitlab/api/gitlab-api.js';
import { projectHookSecrets } from '../gitlab/hooks/project-secrets.js';
import { MergeFollower } from '../gitlab/merges/merge-follower.js';
import { buildHistory, type History } from '../history/build-history.js';
import { RedisLogStore } from '../logs/redis/redis-log-store.js';
import { FerryMetrics } from '../metrics/metrics.js';
import type { EnvironmentMap } from '../pipeline/environment-map.js';
import { PipelineQueue } from '../queue/pipeline-queue.js';
import { connectRedis } from '../redis/connect.js';
import { pingRedis } from '../redis/ping-redis.js';
import { type BuildReportingOptions, buildReporting, type Reporting } from '../reporting/build-reporting.js';
import { RedisPipelineStore } from '../store/redis/redis-pipeline-store.js';

export interface BuildContextOptions {
  config: FerryConfig;
  logger: Logger;
  redisUrl: string;
  environments: EnvironmentMap;
  /** Metrics without process defaults (tests build many contexts in one process). */
  defaultMetrics?: boolean;
  /** Reporting seams tests replace (clock, GitLab client, lease length) and the image tag source. */
  reporting?: Pick<BuildReportingOptions, 'clock' | 'gitlabApi' | 'leaseTtlMs' | 'imageTag'>;
  /** Secret values of the configuration (from loadConfig): never echoed as a request id. */
  secrets?: readonly string[];
}

export interface BuiltContext {
  ctx: ServerContext;
  /** GitLab and WeCom reporting and alerts: start it once the process is up. */
  reporting: Reporting;
  /** The archive: start its archiver once the process is up. */
  history: History;
  /** Closes reporting, the queue and the Redis connections this built. */
  close(): Promise<void>;
}

/** Wires the store, queue, metrics and secrets for one server process. */
export async function buildServerContext(options: BuildContextOptions): Promise<BuiltContext> {
  const { config, logger } = options;
  const prefix = config.redis.keyPrefix;
  const redisError = (err: Error) => logger.warn({ err: err.message }, 'Redis connection error');
  const redis: Redis = connectRedis(options.redisUrl, 'requests', { enableAutoPipelining: true }, redisError);
  const liveStore = new RedisPipelineStore(redis, {
    prefix,
    dedupTtlSeconds: Math.ceil(config.history.dedupTtl / 1000),
  });
  const queueConnection = connectRedis(options.redisUrl, 'worker', {}, redisError);
  const queue = new PipelineQueue({
    connection: queueConnection,
    prefix: `${prefix}:bull`,
  });
  const metrics = new FerryMetrics(
    {
      queueDepth: () => queue.depth(),
      pipelinesByStatus: () => liveStore.countByStatus(),
      pingRedis: () => pingRedis(redis),
    },
    { defaultMetrics: options.defaultMetrics ?? true, executor: config.executor.kind },
  );
  const liveLogs = new RedisLogStore(redis, {
    prefix,
    capBytes: config.limits.logCapBytes,
    ttlSeconds: Math.ceil(config.history.logTtl / 1000),
  });
  // Redis holds live state; finished pipelines and their logs move to the archive (history/).
  const history = buildHistory({
    config,
    logger,
    redis,
    redisUrl: options.redisUrl,
    live: { store: liveStore, logs: liveLogs },
    metrics,
  });
  const store = history.pipelines;
  const logs = history.logs;
  const reporting = buildReporting({
    ...options.reporting,
    config,
    logger,
    redisUrl: options.redisUrl,
    store,
    logs,
    metrics,
  });
  const ctx: ServerContext = {
    config,
    logger,
    redis,
    store,
    queue,
    environments: options.environments,
    metrics,
    logs,
    history: history.store,
    audit: history.audit,
    observer: composeObservers(metrics, reporting.observer, history.observer),
    publisher: redis,
    cancelChannel: `${prefix}:cancel`,
    readinessChecks: [],
    alerts: reporting.alerts,
    secretValues: options.secrets ?? [],
    webhookSecrets: projectHookSecrets(config.gitlab),
  };
  const mergeFollower = gitlabConfigured(config)
    ? new MergeFollower({
        store,
        logger,
        api: options.reporting?.gitlabApi ?? createGitLabApi(config, 'read merged merge requests'),
        giveUpAfterMs: config.gitlab.mergeLookupTimeout,
      })
    : undefined;
  if (mergeFollower !== undefined) ctx.mergeFollower = mergeFollower;
  return {
    ctx,
    reporting,
    history,
    async close() {
      await mergeFollower?.close();
      await history.close();
      await reporting.close();
      await queue.close();
      await queueConnection.quit().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}
