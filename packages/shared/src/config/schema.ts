import { z } from 'zod';
import { defaultRunnerImage } from '../build-info/version.js';
import { tryParseDuration } from '../pipeline-spec/durations.js';
import { parseIpRange } from './ip-range.js';
import { Secret } from './secret.js';

/**
 * Where a secret comes from. The config file never holds a secret value itself: it names an
 * environment variable or a file (a mounted Kubernetes Secret, for example).
 */
export const secretRefSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Turns a reference into the value it names, or an error message saying what is missing. */
export type SecretResolver = (ref: SecretRef) => Secret | { error: string };

function secret(resolve: SecretResolver) {
  return secretRefSchema.transform((ref, ctx): Secret => {
    const out = resolve(ref);
    if (out instanceof Secret) return out;
    ctx.addIssue({ code: 'custom', message: out.error });
    return z.NEVER;
  });
}

const port = z.number().int().min(0).max(65535);

/** A duration like `90s`, `15m`, `1h30m`, read as milliseconds. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = tryParseDuration(text);
      if (ms !== undefined) return ms;
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (write 90s, 15m, 1h30m)` });
      return z.NEVER;
    });
const roleSchema = z.enum(['viewer', 'deployer', 'admin']);

/**
 * A user name a reverse proxy may send: 1–128 characters, letters, digits and `. _ @ + -`, starting
 * with a letter or digit (`alice`, `alice.smith@example.com`). Anything else is refused, not cleaned.
 */
export const proxyUserPattern = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/** Headers that already mean something else and must not name the user. */
const reservedHeaders = new Set(['authorization', 'cookie', 'host', 'x-forwarded-for', 'forwarded']);

/** Sign-in by a header a reverse proxy (an SSO proxy) sets. Absent: off. */
const proxyAuthSchema = z.strictObject({
  /** The header naming the signed-in user; matched without regard to case. */
  header: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name like X-Forwarded-User')
    .refine((h) => !reservedHeaders.has(h.toLowerCase()), 'a header of its own, not one HTTP already uses')
    .default('X-Forwarded-User'),
  /**
   * The socket peers (addresses or CIDR blocks) whose header is believed: the proxy itself. From any
   * other peer the header is ignored. Required; a block that trusts everyone (/0) is refused.
   */
  trustedProxies: z
    .array(
      z.string().refine((text) => {
        const range = parseIpRange(text);
        return range !== undefined && range.prefix > 0;
      }, 'an IP address or CIDR block (127.0.0.1, 10.0.0.0/8, ::1, fd00::/8), not /0'),
    )
    .min(1, 'list the proxy addresses whose header Ferry may believe'),
  /** The role of a signed-in user not listed in `users`; null: such a user is refused (403). */
  defaultRole: roleSchema.nullable().default(null),
  /** User name (exactly as the proxy sends it) → role. */
  users: z
    .record(z.string().regex(proxyUserPattern, 'a user name the proxy can send'), roleSchema)
    .default({}),
});

/** Kubernetes quantities (`500m`, `1`, `512Mi`); the API canonicalises them. */
const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, 'a quantity like 500m, 1, 512Mi');
const computeResources = z.strictObject({ cpu: quantity, memory: quantity });

/** Label keys and values as Kubernetes takes them (prefix/name ≤ 63, values ≤ 63). */
const labelMap = z.record(
  z
    .string()
    .regex(
      /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
      'a label key',
    ),
  z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, 'a label value'),
);

/** How a build cache is split and capped (`executor.kubernetes.buildCache`, `executor.docker.buildCache`). */
const buildCacheSlots = {
  /** Storages per project: that many of its builds at once reuse layers; one more does not wait, it builds cold. */
  slots: z.number().int().min(1).max(16).default(2),
  /** A slot larger than this after a build is emptied (its next build is cold). */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 ** 3),
};

const kubernetesExecutorSchema = z.strictObject({
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  namespace: z.string().default('ferry-runners'),
  /**
   * The Pod Security level build pods (buildah) meet: `restricted` (non-root, one id in buildah's
   * user namespace: RUN steps as another USER and chown to other ids fail) or `baseline` (root
   * with SETUID/SETGID/SETFCAP, any Dockerfile). docs/release.md, "The build pod".
   */
  buildSandbox: z.enum(['restricted', 'baseline']).default('restricted'),
  /**
   * Where build pods go, e.g. a namespace that allows `baseline` for `buildSandbox: baseline` while
   * the runner namespace enforces `restricted`. Default: the runner namespace.
   */
  buildNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a namespace name (RFC 1123 label)')
    .optional(),
  runnerImage: z.string().default(defaultRunnerImage),
  serviceAccount: z.string().optional(),
  nodeSelector: z.record(z.string(), z.string()).default({}),
  tolerations: z
    .array(
      z.strictObject({
        key: z.string().optional(),
        operator: z.enum(['Equal', 'Exists']).optional(),
        value: z.string().optional(),
        effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
      }),
    )
    .default([]),
  imagePullSecrets: z.array(z.string()).default([]),
  pendingTimeout: duration('5m'),
  /**
   * The Localhost seccomp profile of build pods (buildah), relative to the kubelet's seccomp root.
   * Default: the shipped one for `buildSandbox` (deploy/seccomp/ferry-build-rootless.json for
   * restricted, ferry-build.json for baseline) installed on the nodes (docs/release.md, "The build pod").
   */
  buildSeccompProfile: z.string().min(1).optional(),
  /**
   * The uid (and gid) every runner container runs as: non-root, so pods pass the `restricted`
   * Pod Security Standard. The runner image's own user is 10001.
   */
  runAsUser: z.number().int().positive().default(10001),
  /** Requests = limits of the clone init container (a quota needs them on every container). */
  cloneResources: computeResources.prefault({ cpu: '500m', memory: '512Mi' }),
  /** Requests = limits of a stage's container when its job has none (build and deploy run the runner image). */
  stepResources: computeResources.prefault({ cpu: '500m', memory: '512Mi' }),
  /** Requests = limits of each service sidecar of a test job (spec `services`). */
  serviceResources: computeResources.prefault({ cpu: '500m', memory: '512Mi' }),
  /**
   * Where test jobs' dependency caches are kept: a PersistentVolumeClaim in the runner namespace
   * (ReadWriteMany when runners land on several nodes), each project in its own sub-path. Unset:
   * caches are not kept on this executor.
   */
  cache: z
    .strictObject({
      claimName: z.string().min(1),
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(2 * 1024 ** 3),
    })
    .optional(),
  /**
   * Where buildah build pods keep their layer storage between builds: a PersistentVolumeClaim in
   * the build namespace, each project in its own sub-path, split in `slots` storages that one build
   * at a time locks (docs/release.md, "The build cache"). Unset: each build pod starts with empty
   * storage and reads cached layers from the registry only.
   */
  buildCache: z.strictObject({ claimName: z.string().min(1), ...buildCacheSlots }).optional(),
});

/** How long one environment's finished pipelines stay in the archive. */
const retentionSchema = z.strictObject({
  /** Pipeline records (stages, approvals, image, release, manifests) and their audit entries. */
  records: duration('365d'),
  /** Archived stage logs (shorter: they are most of the archive's size). */
  logs: duration('90d'),
});

function historySchema(secretRef: ReturnType<typeof secret>) {
  return z
    .strictObject({
      /** `sqlite`: one file, no server (the embedded default); `postgres`: production, shared by replicas. */
      kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
      sqlite: z.strictObject({ file: z.string().default('.ferry/history.sqlite') }).prefault({}),
      /** The PostgreSQL connection URL (postgres://user:password@host:5432/db), a secret. */
      postgres: z.strictObject({ url: secretRef.optional() }).prefault({}),
      /** A finished pipeline moves from Redis to the archive this long after it finished. */
      archiveAfter: duration('10m'),
      /** How often the archiver looks for finished pipelines (and trims the event stream). */
      interval: duration('30s'),
      /** Pipelines moved per archival cycle at most. */
      batch: z.number().int().positive().default(200),
      /** Pipelines prepared (logs read from Redis and compressed) at once during a cycle. */
      concurrency: z.number().int().positive().max(64).default(4),
      /** Compressed stage logs go here (a PVC on Kubernetes) instead of into the archive database. */
      logsDir: z.string().optional(),
      /** Events stay in Redis this long after every consumer read them, for dashboards that resume. */
      eventsRetention: duration('1h'),
      /**
       * The event stream's length at most: past it the oldest entries go even within
       * `eventsRetention` (a burst), never ones the reporting outbox has not read. 0: no cap.
       */
      eventsMaxLength: z.number().int().nonnegative().default(10_000),
      /** How long the same merge (project, environment, commit) is recognised as a duplicate. */
      dedupTtl: duration('7d'),
      /** A complete stage log not yet archived is removed from Redis after this (a safety net). */
      logTtl: duration('30d'),
      retention: z
        .strictObject({
          /** What every environment keeps unless `environments` says otherwise. */
          default: retentionSchema.prefault({}),
          /** Per environment name (e.g. prod keeps records 3 years). */
          environments: z
            .record(z.string(), retentionSchema)
            .prefault({ prod: { records: '1095d', logs: '365d' } }),
          /** How often the retention job deletes what has expired. */
          interval: duration('1h'),
        })
        .prefault({}),
    })
    .prefault({})
    .superRefine((value, ctx) => {
      if (value.kind === 'postgres' && value.postgres.url === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['postgres', 'url'],
          message: 'history.kind postgres needs history.postgres.url',
        });
      }
    });
}

export function buildConfigSchema(resolve: SecretResolver) {
  const secretRef = secret(resolve);
  return z
    .strictObject({
      server: z
        .strictObject({
          host: z.string().default('127.0.0.1'),
          port: port.default(8080),
          publicUrl: z.url().optional(),
          basePath: z
            .string()
            .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'a path prefix like /ferry, without a trailing slash')
            .default(''),
          bodyLimitBytes: z.number().int().positive().default(1_048_576),
          trustProxy: z.boolean().default(false),
          /** Whole request (headers and body) must arrive within this; a trickled body gets 408. */
          requestTimeoutMs: z.number().int().positive().default(30_000),
          /** Headers must arrive within this. */
          headersTimeoutMs: z.number().int().positive().default(10_000),
          /** Open connections one client address may hold at once; more are closed at once. */
          maxConnectionsPerClient: z.number().int().positive().default(256),
        })
        .prefault({}),
      redis: z
        .strictObject({
          /** When absent, `ferry serve` starts an embedded redis-server in `dataDir`. */
          url: z
            .string()
            .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
            .optional(),
          dataDir: z.string().default('.ferry/redis'),
          /**
           * Where a finished stage's end waits (a small fsynced file) while Redis is unreachable,
           * so a shutdown that cannot wait for Redis loses no stage outcome; the next Ferry stores it.
           */
          journalDir: z.string().default('.ferry/journal'),
          keyPrefix: z
            .string()
            .regex(/^[A-Za-z0-9:_-]+$/)
            .default('ferry'),
        })
        .prefault({}),
      executor: z
        .strictObject({
          kind: z.enum(['local', 'docker', 'kubernetes', 'noop']).default('local'),
          /**
           * The images test jobs and their services may run in: glob patterns as for
           * build.allowedBaseImages (`registry.vpc:5000/ci/*`, `node:20-*`). Checked when a job
           * starts; a job with another image fails at once (FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED).
           * Empty: every image is allowed.
           */
          allowedImages: z.array(z.string().min(1)).default([]),
          /** The `noop` executor runs nothing: each stage succeeds after `stageDuration` (dry runs, load tests). */
          noop: z.strictObject({ stageDuration: duration('0s') }).prefault({}),
          local: z
            .strictObject({
              workDir: z.string().default('.ferry/work'),
              /** When Ferry runs as root, stage scripts run as this unprivileged user (`root`: as Ferry). */
              user: z.string().min(1).default('ferry-stage'),
            })
            .prefault({}),
          docker: z
            .strictObject({
              socketPath: z.string().default('/var/run/docker.sock'),
              runnerImage: z.string().default(defaultRunnerImage),
              /** Size cap of each project's cache volume (spec `cache`); the least recently used go first. */
              cacheMaxBytes: z
                .number()
                .int()
                .positive()
                .default(2 * 1024 ** 3),
              /**
               * The seccomp profile (a JSON file) of buildah build containers (`build.builder:
               * buildah`); unset: the one Ferry ships, deploy/seccomp/ferry-build.json.
               */
              buildSeccompProfile: z.string().min(1).optional(),
              /**
               * Where buildah build containers keep their layer storage between builds: a named
               * volume per project (`ferry-build-cache-<owner>-p<project id>`) split in `slots`
               * storages, one build at a time in each (docs/release.md, "The build cache"). Unset:
               * each build starts with empty storage and reads cached layers from the registry.
               */
              buildCache: z.strictObject(buildCacheSlots).optional(),
            })
            .prefault({}),
          kubernetes: kubernetesExecutorSchema.prefault({}),
        })
        .prefault({}),
      gitlab: z
        .strictObject({
          url: z.url().optional(),
          token: secretRef.optional(),
          /** The global webhook secret (X-Gitlab-Token); FERRY_WEBHOOK_SECRET overrides it. */
          webhookSecret: secretRef.optional(),
          /**
           * Origins (`https://git.example.com:8443`) Ferry may clone from besides `gitlab.url`'s own:
           * a webhook naming any other host in `git_http_url` is refused (the clone sends the token).
           */
          cloneHosts: z.array(z.url({ protocol: /^https?$/ })).default([]),
          /**
           * How long Ferry keeps asking GitLab (`GET /projects/:id/merge_requests/:iid`) which commit
           * a fast-forward merge put on the branch before it falls back to the merging user's push.
           */
          mergeLookupTimeout: duration('2m'),
          /**
           * Per-project webhook secrets, bound to GitLab's project id: keyed by the id, or by the
           * path (group/name) with its `id`; a delivery whose id and path disagree with this is refused.
           */
          projects: z
            .record(
              z.string(),
              z.strictObject({ id: z.number().int().positive().optional(), webhookSecret: secretRef }),
            )
            .default({})
            .superRefine((projects, issue) => {
              const seen = new Map<number, string>();
              for (const [key, entry] of Object.entries(projects)) {
                const numeric = /^\d+$/.test(key);
                const id = entry.id ?? (numeric ? Number(key) : undefined);
                const at = { path: [key, 'id'], input: entry.id };
                if (id === undefined) {
                  issue.addIssue({ code: 'custom', ...at, message: `give the GitLab project id of ${key}` });
                } else if (numeric && id !== Number(key)) {
                  issue.addIssue({ code: 'custom', ...at, message: `id ${id} differs from the key ${key}` });
                } else if (seen.has(id)) {
                  issue.addIssue({
                    code: 'custom',
                    ...at,
                    message: `project id ${id} is configured twice (also under ${seen.get(id)})`,
                  });
                } else seen.set(id, key);
              }
            }),
          /**
           * Merge requests from forks: `refuse` (no pipeline, the webhook answer says why) or
           * `without-secrets` (the test stage runs with none of Ferry's secrets, not even the
           * clone token: the fork must be clonable anonymously).
           */
          forkMergeRequests: z.enum(['refuse', 'without-secrets']).default('refuse'),
        })
        .prefault({}),
      registry: z
        .strictObject({
          endpoint: z.string().optional(),
          username: z.string().optional(),
          password: secretRef.optional(),
        })
        .prefault({}),
      build: z
        .strictObject({
          /**
           * Base-image allowlist: every FROM of a Dockerfile must match one of these glob patterns
           * (`registry.vpc:5000/base/*`, `node:20-*`). Empty: every base image is allowed (logged).
           */
          allowedBaseImages: z.array(z.string().min(1)).default([]),
          /** The Docker daemon build stages use (DOCKER_HOST), e.g. tcp://build-daemon:2375 for kubernetes. */
          dockerHost: z.string().optional(),
          /**
           * `engine`: the Docker engine through dockerode; `buildah`: daemonless in the runner (the
           * build sandbox, docs/release.md). Unset: buildah on kubernetes (engine when dockerHost is
           * set), the engine on docker and local.
           */
          builder: z.enum(['engine', 'buildah']).optional(),
        })
        .prefault({}),
      /**
       * Labels on every namespace Ferry creates (the runner namespace, the environments'
       * namespaces), e.g. Pod Security: `pod-security.kubernetes.io/enforce: restricted`.
       */
      namespaceLabels: labelMap.default({}),
      deploy: z
        .strictObject({
          /** Kubeconfig file change pod uses (read by Ferry, given to the runner as a secret); unset: in-cluster. */
          kubeconfig: z.string().optional(),
          context: z.string().optional(),
          /** Per environment: another cluster or context (several clusters allowed). */
          environments: z
            .record(
              z.string(),
              z.strictObject({ kubeconfig: z.string().optional(), context: z.string().optional() }),
            )
            .default({}),
        })
        .prefault({}),
      wecom: z
        .strictObject({
          baseUrl: z.url().default('https://qyapi.weixin.qq.com'),
          bots: z
            .array(
              z.strictObject({
                name: z.string().min(1),
                key: secretRef,
                projects: z.array(z.string()).default([]),
                environments: z.array(z.string()).default([]),
                /** This bot's message language; `wecom.language` when absent. */
                language: z.enum(['zh', 'en']).optional(),
              }),
            )
            .default([]),
          /** GitLab username → WeCom user id, for mentions in failure messages. */
          mentions: z.record(z.string(), z.string()).default({}),
          /** The language of pipeline messages and alerts: `zh` (中文) or `en`. */
          language: z.enum(['zh', 'en']).default('zh'),
        })
        .prefault({}),
      badges: z
        .strictObject({
          /**
           * `GET /badges/<project>/<env>.svg` without a token (as shields.io badges are read): the
           * deployed commit's short sha and the last pipeline's outcome. false: 404.
           */
          enabled: z.boolean().default(true),
        })
        .prefault({}),
      auth: z
        .strictObject({
          tokens: z
            .array(z.strictObject({ name: z.string().min(1), token: secretRef, role: roleSchema }))
            .default([]),
          /** Reads (GET) without a token. Writes always need one. */
          anonymousRead: z.boolean().default(true),
          proxy: proxyAuthSchema.optional(),
        })
        .prefault({}),
      /** Environment name → branch, used when a project's spec does not say. */
      environments: z
        .record(z.string(), z.strictObject({ branch: z.string().min(1) }))
        .default({ test: { branch: 'test' }, staging: { branch: 'staging' }, prod: { branch: 'master' } }),
      pipelines: z
        .strictObject({
          templateDir: z.string().default('pipelines'),
          overrideFile: z.string().default('.ferry.yml'),
          /** Stage timeouts when the spec gives none. */
          stageTimeout: z
            .strictObject({ test: duration('15m'), build: duration('30m'), deploy: duration('15m') })
            .prefault({}),
          /** How long a deploy waits for approval when the spec gives no approvalTimeout. */
          approvalTimeout: duration('24h'),
        })
        .prefault({}),
      reporting: z
        .strictObject({
          /** Report transitions to GitLab (when gitlab.url and gitlab.token are set) and WeCom bots. */
          enabled: z.boolean().default(true),
          /** Commits (GitLab) and bots (WeCom) sent to at once. */
          concurrency: z.number().int().positive().default(8),
          /** Backoff of a failing send: first wait, doubling up to `retryMax`. */
          retryInitial: duration('2s'),
          retryMax: duration('5m'),
          /** How long one GitLab API request may take. */
          gitlabTimeout: duration('30s'),
          /** Log lines quoted in a WeCom failure message. */
          logTailLines: z.number().int().min(0).max(100).default(15),
          /** A dead sending replica is replaced by another after this (the reporting lease). */
          leaseTtl: duration('15s'),
        })
        .prefault({}),
      alerts: z
        .strictObject({
          /** WeCom bots (by name) that get every alert; empty: alerts about a pipeline go to its bots, others to every bot. */
          bots: z.array(z.string()).default([]),
          /** The same alert (kind and subject) is sent at most once per interval. */
          interval: duration('15m'),
          /** Alert when a reporter has been failing for this long. */
          reporterFailingAfter: duration('10m'),
          /** Alert when a pipeline waited longer than this from its merge to its start. */
          queueWaitSlo: duration('2m'),
        })
        .prefault({}),
      limits: z
        .strictObject({
          concurrency: z.number().int().positive().default(4),
          /** Pipelines running at once across every replica sharing this Redis (BullMQ global concurrency). */
          globalConcurrency: z.number().int().positive().optional(),
          /** A dead worker's pipelines are resumed elsewhere after this (BullMQ lock duration). */
          lockDuration: duration('30s'),
          /** SIGTERM waits this long for running pipelines before leaving them to be resumed. */
          drainTimeout: duration('60s'),
          /** How often each replica sweeps for pipelines no job carries. */
          recoveryInterval: duration('60s'),
          logCapBytes: z
            .number()
            .int()
            .positive()
            .default(16 * 1024 * 1024),
          /** Live stage-log followers (SSE): per caller (token, proxy user, or anonymous address) and in all. */
          logFollowers: z
            .strictObject({
              perCaller: z.number().int().positive().default(100),
              total: z.number().int().positive().default(5000),
              /** The Retry-After a follower past a cap is told. */
              retryAfter: duration('10s'),
            })
            .prefault({}),
        })
        .prefault({}),
      history: historySchema(secretRef),
      log: z
        .strictObject({
          level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        })
        .prefault({}),
    })
    .refine((c) => c.build.builder !== 'buildah' || c.executor.kind !== 'local', {
      path: ['build', 'builder'],
      message:
        'buildah builds run in a sandboxed container (kubernetes build pods, docker build containers); the local executor builds with the engine',
    });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
export type ConfigInput = z.input<ConfigSchema>;
export type FerryConfig = z.output<ConfigSchema>;
