import type { FerryConfig, Logger, Secret } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { ProjectHookSecrets } from '../gitlab/hooks/project-secrets.js';
import type { MergeFollower } from '../gitlab/merges/merge-follower.js';
import type { AuditTrail } from '../history/audit/audit-trail.js';
import type { HistoryStore } from '../history/history-store.js';
import type { LogStore } from '../logs/log-store.js';
import type { FerryMetrics } from '../metrics/metrics.js';
import type { ActionDeps } from '../pipeline/actions.js';
import type { EnvironmentMap } from '../pipeline/environment-map.js';
import type { PipelineQueue } from '../queue/pipeline-queue.js';
import type { PipelineStore } from '../store/pipeline-store.js';

/** Everything the HTTP side needs, built once by the runtime and handed to buildApp. */
export interface ServerContext extends ActionDeps {
  config: FerryConfig;
  logger: Logger;
  /** The fail-fast connection used in request handlers. */
  redis: Redis;
  store: PipelineStore;
  queue: PipelineQueue;
  environments: EnvironmentMap;
  metrics: FerryMetrics;
  /** Stage logs (stored, followed live; archived ones read through). */
  logs: LogStore;
  /** The archive of finished pipelines. */
  history: HistoryStore;
  /** Every deploy and rollback, from Redis and the archive. */
  audit: AuditTrail;
  /** Problems that make the server not ready (e.g. the worker is not running). */
  readinessChecks: ReadonlyArray<() => Promise<string | null> | string | null>;
  /** Operational alerts to the WeCom bots (executors: `runnerPendingTooLong`). */
  alerts: AlertSink;
  /** Secret values of the configuration, so no request echoes one (request ids). */
  secretValues?: readonly string[];
  /** Webhook secrets: global and per project, bound to the project id. */
  webhookSecrets: ProjectHookSecrets;
  /** Matches fast-forward merges to their commit through GitLab's API (when gitlab.url and token are set). */
  mergeFollower?: MergeFollower;
}
