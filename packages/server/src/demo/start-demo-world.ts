import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { type GitLabDouble, hostProject, startGitLabDouble } from '@ferry/doubles/gitlab';
import { startWeComDouble, type WeComDouble } from '@ferry/doubles/wecom';
import { createLogger, loadConfig } from '@ferry/shared';
import { freePort, startEmbeddedRedis } from '../redis/embedded-redis.js';
import { environmentsFromConfig } from '../runtime/environments-from-config.js';
import { type RunningFerry, startFerry } from '../runtime/start-ferry.js';
import { localDemoTemplate } from './sample-service.js';

const STOP_BOUND_MS = 15_000;

export interface DemoWorldOptions {
  /** Ferry's port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Ferry's log level (default `warn`: the demo prints what matters itself). */
  logLevel?: string;
}

export interface DemoWorld {
  ferryUrl: string;
  ferry: RunningFerry;
  gitlab: GitLabDouble;
  wecom: WeComDouble;
  git: GitServer;
  repo: TestRepo;
  project: { id: number; path: string };
  webhookSecret: string;
  executor: 'local';
  /** Stops everything it started, in reverse order, and removes its temp directory. */
  stop(): Promise<void>;
}

/**
 * Starts on loopback what the demo needs, each its own (nothing shared with a `ferry serve` of the
 * same machine): an embedded Redis, a git server with the sample service's repository, the GitLab
 * and WeCom doubles (the project known to GitLab, one bot), and Ferry configured for them with the
 * local executor. Everything lives in one temp directory, removed by `stop()`.
 */
export async function startDemoWorld(options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const stops: Array<() => Promise<unknown>> = [];
  // Each part gets a bounded time to stop, so one that hangs never keeps the others running.
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        s().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, STOP_BOUND_MS);
        }),
      ]);
      clearTimeout(timer);
    }
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-demo-'));
    // Traversable (not listable): as root, the local executor runs stage scripts as the unprivileged
    // executor.local.user, whose workspaces live below (they have their own modes).
    await chmod(dir, 0o711);
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const redis = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
    stops.push(() => redis.stop());
    const gitlab = await startGitLabDouble({ token: `glpat-demo-${randomBytes(10).toString('hex')}` });
    stops.push(() => gitlab.close());
    const wecom = await startWeComDouble();
    stops.push(() => wecom.close());
    // The clone token is Ferry's GitLab token, as for a repository GitLab hosts.
    const git = await startGitServer({ token: gitlab.token });
    stops.push(() => git.close());

    const project = { id: 4201, path: 'demo/sample-service' };
    const repo = await hostProject({
      git,
      gitlab,
      project,
      files: { 'README.md': '# sample-service\n\nMerged into `test` by `ferry demo`.\n' },
    });

    const templateDir = join(dir, 'pipelines');
    await mkdir(templateDir);
    await writeFile(join(templateDir, 'default.yml'), localDemoTemplate);
    const port = options.port ?? (await freePort());
    const webhookSecret = randomBytes(24).toString('base64url');
    const configFile = join(dir, 'ferry.json');
    await writeFile(
      configFile,
      JSON.stringify({
        server: { host: '127.0.0.1', port },
        redis: { url: redis.url },
        executor: { kind: 'local', local: { workDir: join(dir, 'work') } },
        pipelines: { templateDir },
        history: { sqlite: { file: join(dir, 'history.sqlite') } },
        gitlab: {
          url: gitlab.url,
          token: { env: 'DEMO_GITLAB_TOKEN' },
          webhookSecret: { env: 'DEMO_WEBHOOK_SECRET' },
          // The repository is on the demo's git server, not on the GitLab double's origin.
          cloneHosts: [git.url],
        },
        wecom: {
          baseUrl: wecom.url,
          bots: [{ name: 'demo', key: { env: 'DEMO_WECOM_KEY' } }],
          language: 'en',
        },
        reporting: { retryInitial: '200ms', retryMax: '2s' },
        limits: { drainTimeout: '5s' },
      }),
    );
    // Secrets reach Ferry as they do in production: by reference, resolved from an environment
    // of the demo's own (never this process's environment, never the file).
    const loaded = loadConfig({
      file: configFile,
      env: { DEMO_GITLAB_TOKEN: gitlab.token, DEMO_WEBHOOK_SECRET: webhookSecret, DEMO_WECOM_KEY: wecom.key },
    });
    const logger = createLogger({
      level: options.logLevel ?? 'warn',
      name: 'ferry',
      secrets: loaded.secrets,
    });
    const ferry = await startFerry({
      config: loaded.config,
      logger,
      redisUrl: redis.url,
      environments: environmentsFromConfig(loaded.config),
      secrets: loaded.secrets.map((s) => s.reveal()),
    });
    stops.push(() => ferry.close());
    await ferry.app.listen({ host: '127.0.0.1', port });

    return {
      ferryUrl: `http://127.0.0.1:${port}`,
      ferry,
      gitlab,
      wecom,
      git,
      repo,
      project,
      webhookSecret,
      executor: 'local',
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
