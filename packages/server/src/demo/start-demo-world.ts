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
import { type DemoRegistry, startDemoRegistry } from './demo-registry.js';
import { type ClusterDemoImages, clusterDemoTemplate, localDemoTemplate } from './sample-service.js';

const STOP_BOUND_MS = 15_000;

export interface DemoWorldOptions {
  /** Ferry's port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Ferry's log level (default `warn`: the demo prints what matters itself). */
  logLevel?: string;
  /**
   * Build and deploy too: the docker executor, a registry of the demo's own, and change pod
   * rolling the service out on the cluster of this kubeconfig (the Kubernetes double, kind, ...).
   */
  cluster?: DemoClusterOptions;
}

export interface DemoClusterOptions extends ClusterDemoImages {
  /** The kubeconfig file of the cluster the service is deployed to. */
  kubeconfig: string;
  /** Ferry's runner image in the Docker engine (clone, build, deploy). */
  runnerImage: string;
}

/** The namespace and Deployment the demo's service runs as (`{group}-test`, the project's name). */
export const DEMO_DEPLOYMENT = { namespace: 'demo-test', name: 'sample-service' } as const;

export interface DemoWorld {
  ferryUrl: string;
  ferry: RunningFerry;
  gitlab: GitLabDouble;
  wecom: WeComDouble;
  git: GitServer;
  repo: TestRepo;
  project: { id: number; path: string };
  webhookSecret: string;
  executor: 'local' | 'docker';
  /** With a cluster: the registry the images go to, and the kubeconfig the service is deployed with. */
  cluster?: { registry: DemoRegistry; kubeconfig: string };
  /** A deployer token of the demo's Ferry (its own actions: the rollback). A secret: never printed. */
  actionToken: string;
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
    const cluster = options.cluster;
    let registry: DemoRegistry | undefined;
    if (cluster !== undefined) {
      registry = await startDemoRegistry(join(dir, 'registry'));
      const started = registry;
      stops.push(() => started.stop());
    }
    await writeFile(
      join(templateDir, 'default.yml'),
      cluster === undefined ? localDemoTemplate : clusterDemoTemplate(cluster),
    );
    const actionToken = randomBytes(24).toString('base64url');
    const port = options.port ?? (await freePort());
    const webhookSecret = randomBytes(24).toString('base64url');
    const configFile = join(dir, 'ferry.json');
    await writeFile(
      configFile,
      JSON.stringify({
        server: { host: '127.0.0.1', port },
        redis: { url: redis.url },
        executor:
          cluster === undefined
            ? { kind: 'local', local: { workDir: join(dir, 'work') } }
            : { kind: 'docker', docker: { runnerImage: cluster.runnerImage } },
        ...(cluster === undefined || registry === undefined
          ? {}
          : {
              registry: { endpoint: registry.address },
              deploy: { kubeconfig: cluster.kubeconfig },
              // The allowlist holds the one base the sample service builds from.
              build: { allowedBaseImages: [cluster.baseImage] },
            }),
        auth: { tokens: [{ name: 'demo', token: { env: 'DEMO_ACTION_TOKEN' }, role: 'deployer' }] },
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
      env: {
        DEMO_GITLAB_TOKEN: gitlab.token,
        DEMO_WEBHOOK_SECRET: webhookSecret,
        DEMO_WECOM_KEY: wecom.key,
        DEMO_ACTION_TOKEN: actionToken,
      },
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
      executor: cluster === undefined ? 'local' : 'docker',
      ...(cluster === undefined || registry === undefined
        ? {}
        : { cluster: { registry, kubeconfig: cluster.kubeconfig } }),
      actionToken,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
