import { createLogger, type FerryConfig, isFerryError, type Logger, loadConfig } from '@ferry/shared';
import { checkRedis } from '../../redis/check-redis.js';
import { connectRedis } from '../../redis/connect.js';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../redis/embedded-redis.js';
import { environmentsFromConfig } from '../../runtime/environments-from-config.js';
import { startFerry } from '../../runtime/start-ferry.js';
import { logFirstStart } from './first-start-log.js';
import { ensureFirstStartSecrets, type FirstStartSecrets } from './first-start-secrets.js';

/** `all` serves HTTP and runs pipelines; `api` only serves HTTP. Replicas of each share one Redis. */
export type ServeRole = 'all' | 'api';

export interface ServeOptions {
  configPath?: string;
  role?: ServeRole;
}

/** `ferry serve`: load the configuration, make sure Redis is there, serve until SIGTERM/SIGINT. */
export async function serve(options: ServeOptions): Promise<number> {
  let config: FerryConfig;
  let logger: Logger;
  let secretValues: string[] = [];
  let firstStart: FirstStartSecrets | undefined;
  try {
    const file = options.configPath === undefined ? {} : { file: options.configPath };
    let loaded = loadConfig(file);
    // The embedded default (no Redis configured: one machine, trying Ferry out) starts usable:
    // a webhook secret and an admin token, generated once into .ferry/secrets/.
    if (loaded.config.redis.url === undefined) {
      firstStart = await ensureFirstStartSecrets({
        webhookSecret: loaded.config.gitlab.webhookSecret === undefined,
        adminToken: loaded.config.auth.tokens.length === 0 && loaded.config.auth.proxy === undefined,
      });
      if (Object.keys(firstStart.defaults).length > 0)
        loaded = loadConfig({ ...file, defaults: firstStart.defaults });
    }
    config = loaded.config;
    secretValues = loaded.secrets.map((secret) => secret.reveal());
    logger = createLogger({ level: config.log.level, name: 'ferry', secrets: loaded.secrets });
  } catch (err) {
    process.stderr.write(`ferry: ${isFerryError(err) ? `${err.code}: ${err.message}` : String(err)}\n`);
    return 2;
  }

  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  };
  try {
    let redisUrl = config.redis.url;
    if (redisUrl === undefined) {
      const embedded: EmbeddedRedis = await startEmbeddedRedis({ dataDir: config.redis.dataDir });
      stops.push(() => embedded.stop());
      redisUrl = embedded.url;
      logger.info(
        { redis: embedded.url, dataDir: config.redis.dataDir },
        'no Redis configured: started an embedded one',
      );
    }
    const redis = connectRedis(redisUrl, 'requests', {}, (err) =>
      logger.warn({ err: err.message }, 'Redis connection error'),
    );
    stops.push(() => redis.quit());
    const check = await checkRedis(redis);
    for (const warning of check.warnings) logger.warn(warning);
    if (check.errors.length > 0) {
      for (const error of check.errors) logger.fatal(error);
      await stopAll();
      return 1;
    }

    const role = options.role ?? 'all';
    const ferry = await startFerry({
      config,
      logger,
      redisUrl,
      environments: environmentsFromConfig(config),
      worker: role === 'all',
      secrets: secretValues,
    });
    stops.push(() => ferry.close());
    const app = ferry.app;
    await app.listen({ host: config.server.host, port: config.server.port });
    logger.info({ executor: config.executor.kind, role }, 'ferry is serving');
    if (firstStart !== undefined) logFirstStart(logger, firstStart, config);

    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'shutting down');
        resolve();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
    return await stopWithin(
      config.limits.drainTimeout,
      stopAll,
      logger,
      () => ferry.worker?.inFlight() ?? [],
    );
  } catch (err) {
    logger.fatal({ err }, isFerryError(err) ? `${err.code}: ${err.message}` : 'ferry could not start');
    await stopAll();
    return 1;
  }
}

/**
 * Shutdown ends within `drainTimeout` whatever Redis does (an unreachable Redis holds every quit
 * and close forever). Past it, the process says what it leaves to recovery and exits: the
 * pipelines it was running keep their state in Redis, their BullMQ lock expires, and the next
 * Ferry (or another replica) resumes them, adopting or destroying their runners.
 */
async function stopWithin(
  drainTimeoutMs: number,
  stopAll: () => Promise<void>,
  logger: Logger,
  inFlight: () => string[],
): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), drainTimeoutMs);
  });
  const ended = await Promise.race([stopAll().then(() => 'stopped' as const), deadline]);
  clearTimeout(timer);
  if (ended === 'stopped') return 0;
  const left = inFlight();
  logger.error(
    { drainTimeoutMs, leftForRecovery: left },
    `shutdown did not finish within limits.drainTimeout (Redis unreachable?): exiting; ${left.length} running pipeline(s) left for recovery by the next Ferry`,
  );
  // Open sockets (Redis reconnecting) would keep the process alive: it ends here, logs flushed.
  logger.flush?.();
  process.exit(1);
}
