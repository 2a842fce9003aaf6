// The archiver's own thread (started by ArchiverThread): reading finished pipelines and their logs
// out of Redis, compressing and writing them to the archive take CPU that pipeline production in the
// main thread needs; here they get a thread of their own, so archival keeps up while pipelines run.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, Secret } from '@ferry/shared';
import { connectRedis } from '../../redis/connect.js';
import { RedisPipelineStore } from '../../store/redis/redis-pipeline-store.js';
import { DirectoryLogArchive } from '../logs/directory-log-archive.js';
import { openHistoryStore } from '../open-history-store.js';
import { composeArchiver } from './compose-archiver.js';
import {
  type ArchiverThreadData,
  type FromArchiverThread,
  relayedMetrics,
  type ToArchiverThread,
  toThreadError,
} from './thread-protocol.js';

const port = parentPort;
if (port === null) throw new Error('archiver-worker runs as a worker thread (see ArchiverThread)');
const data = workerData as ArchiverThreadData;
const post = (message: FromArchiverThread) => port.postMessage(message);

const secrets = data.store.kind === 'postgres' ? [new Secret(data.store.url, 'history.postgres.url')] : [];
const logger = createLogger({ level: data.logLevel, secrets }).child({ component: 'archive', thread: true });
const redis = connectRedis(data.redisUrl, 'requests', {}, (err) =>
  logger.warn({ err: err.message }, 'archive: Redis connection error'),
);
const store = openHistoryStore(data.store, logger);
const archiver = composeArchiver({
  settings: data,
  redis,
  keyPrefix: data.keyPrefix,
  live: new RedisPipelineStore(redis, { prefix: data.keyPrefix, dedupTtlSeconds: data.dedupTtlSeconds }),
  store,
  dir: data.logsDir === undefined ? undefined : new DirectoryLogArchive(data.logsDir),
  metrics: relayedMetrics((update) => post({ type: 'metric', update })),
  logger,
  ...(data.leaseOwner === undefined ? {} : { leaseOwner: data.leaseOwner }),
});

port.on('message', (message: ToArchiverThread) => {
  switch (message.type) {
    case 'cycle':
      archiver.cycle().then(
        (result) => post({ type: 'cycle-done', id: message.id, ...result }),
        (err: unknown) => post({ type: 'cycle-failed', id: message.id, error: toThreadError(err) }),
      );
      return;
    case 'pipeline-finished':
      archiver.pipelineFinished();
      return;
    case 'close':
      void (async () => {
        await archiver.close();
        await store.close().catch(() => undefined);
        await redis.quit().catch(() => undefined);
        post({ type: 'closed' });
        port.close();
      })();
  }
});

archiver.start();
