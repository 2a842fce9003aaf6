import { z } from 'zod';
import {
  branchName,
  cpu,
  duration,
  envValue,
  groupName,
  type IssueParams,
  imageRef,
  intBetween,
  intOrPercent,
  memory,
  mountPath,
  opt,
  repoPath,
  serviceName,
  storageSize,
  text,
} from './fields.js';
import {
  MAX_ENV_SOURCES,
  MAX_ENV_VARS,
  MAX_ENVIRONMENTS,
  MAX_REPLICAS,
  MAX_SCRIPT_LINES,
  MAX_TEST_JOBS,
} from './limits.js';
import { DNS1123_LABEL_PATTERN, ENVIRONMENT_NAME_MAX, TEST_JOB_NAME_MAX } from './names.js';
import { coveragePattern, testCache, testReports, testServices } from './test-job-fields.js';

/**
 * The shape of a pipeline file. Every key is optional here, so the same schema checks the
 * default template and a project's `.ferry.yml` override (and gives editors one JSON Schema);
 * what a complete spec must hold is checked after merging (rules/completeness.ts).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const envMap = (where: string) =>
  z
    .record(z.string(), envValue.nullable(), { error: 'expected a map of NAME: value' })
    .refine((m) => Object.keys(m).length <= MAX_ENV_VARS, { error: `at most ${MAX_ENV_VARS} variables` })
    .describe(
      `Plain, non-secret environment variables ${where}. Secrets go in a Secret named in envFrom. ` +
        'Placeholders like {env} are resolved in values.',
    );

const envSource = z
  .strictObject(
    {
      secretRef: opt(
        text('a Secret name', 253),
        'Name of a Kubernetes Secret the operators manage; its keys become variables.',
      ),
      configMapRef: opt(text('a ConfigMap name', 253), 'Name of a ConfigMap; its keys become variables.'),
      optional: opt(z.boolean(), 'Start even when the Secret or ConfigMap does not exist (default false).'),
    },
    { error: 'expected { secretRef: name } or { configMapRef: name }' },
  )
  .superRefine((value, ctx) => {
    const refs = [value.secretRef, value.configMapRef].filter((r) => r !== undefined && r !== null);
    if (refs.length !== 1) {
      const params: IssueParams = {
        code: 'invalid-env-source',
        hint: 'write one entry per source: - secretRef: app-secrets  or  - configMapRef: app-config',
      };
      ctx.addIssue({
        code: 'custom',
        message: 'each envFrom entry names exactly one secretRef or configMapRef',
        params,
      });
    }
  });

const envFrom = z
  .array(envSource, { error: 'expected a list like [{ secretRef: app-secrets }]' })
  .max(MAX_ENV_SOURCES, { error: `at most ${MAX_ENV_SOURCES} sources` })
  .describe(
    'Secrets and ConfigMaps whose keys become environment variables, by name only. A list replaces, never appends.',
  );

const resources = z
  .strictObject(
    {
      cpu: opt(cpu, 'CPU the container is guaranteed: cores (2, 0.5) or millicores (500m).'),
      memory: opt(
        memory,
        'Memory the container is guaranteed, e.g. 512Mi. Also its limit unless memoryLimit is set.',
      ),
      cpuLimit: opt(cpu, 'Most CPU the container may use (default: no limit, it may burst).'),
      memoryLimit: opt(memory, 'Most memory before the container is killed (default: equal to memory).'),
    },
    { error: 'expected a map like { cpu: 500m, memory: 512Mi }' },
  )
  .describe('CPU and memory; values not given keep the default.');

const probe = z
  .strictObject(
    {
      http: opt(
        text('a path like /healthz', 1024),
        'Probe with an HTTP GET of this path; 200-399 is healthy.',
      ),
      tcp: opt(z.literal(true), 'Probe by opening a TCP connection to the port.'),
      port: opt(intBetween(1, 65535, 'a port'), 'Port to probe (default: the deploy port).'),
      initialDelay: opt(
        duration(0, 10 * MINUTE),
        'Wait this long after start before the first probe (default 0s).',
      ),
      period: opt(duration(1000, 5 * MINUTE), 'Time between probes (default 10s).'),
      failureThreshold: opt(intBetween(1, 30), 'Failed probes in a row before acting (default 3).'),
    },
    { error: 'expected { http: /healthz } or { tcp: true }' },
  )
  .superRefine((value, ctx) => {
    const hasHttp = value.http !== undefined && value.http !== null;
    const hasTcp = value.tcp === true;
    if (hasHttp === hasTcp) {
      const params: IssueParams = {
        code: 'invalid-probe',
        hint: 'write { http: /healthz } or { tcp: true }',
      };
      ctx.addIssue({ code: 'custom', message: 'a probe is either http or tcp', params });
    } else if (hasHttp && !String(value.http).startsWith('/')) {
      const params: IssueParams = { code: 'invalid-probe', hint: 'e.g. http: /healthz' };
      ctx.addIssue({
        code: 'custom',
        message: `the probe path "${value.http}" must start with "/"`,
        params,
        path: ['http'],
      });
    }
  });

const storageFields = {
  size: opt(storageSize, 'Size of the volume, e.g. 5Gi.'),
  storageClass: opt(
    text('a storage class name', 253),
    'Storage class the operators offer (e.g. nas); default: the cluster default.',
  ),
};

const ingressShape = z
  .strictObject(
    {
      host: opt(text('a host name', 253), 'Public host name, e.g. "{service}.{env}.example.com".'),
      path: opt(text('a path like /', 1024), 'Path prefix routed to the service (default /).'),
      tlsSecret: opt(
        text('a Secret name', 253),
        'Secret holding the TLS certificate (managed by the operators).',
      ),
    },
    { error: 'expected a map like { host: "{service}.example.com" }' },
  )
  .describe('Expose the service over HTTP(S) at a host name.');

const canarySteps = z
  .array(intBetween(1, 100, 'a percentage'), { error: 'expected a list of percentages like [10, 50, 100]' })
  .min(1, { error: 'list at least one step, ending with 100' })
  .max(10, { error: 'at most 10 steps' });

const canary = z
  .union(
    [
      canarySteps,
      z.strictObject({
        steps: canarySteps.describe(
          'Percent of traffic on the new version at each step; increasing, ending at 100.',
        ),
        pause: opt(duration(0, DAY), 'How long each step is observed before the next (default 5m).'),
      }),
    ],
    { error: 'expected steps like [10, 50, 100] or { steps: [10, 50, 100], pause: 5m }' },
  )
  .describe('Release gradually: [10, 50, 100] sends 10%, then 50%, then all traffic to the new version.');

const rollout = z
  .strictObject(
    {
      progressDeadline: opt(
        duration(30_000, HOUR),
        'Fail (and roll back) when the rollout makes no progress for this long (default 10m).',
      ),
      maxSurge: opt(intOrPercent, 'Extra pods allowed during a rollout (default 25%).'),
      maxUnavailable: opt(intOrPercent, 'Pods allowed to be unavailable during a rollout (default 0).'),
    },
    { error: 'expected a map like { progressDeadline: 10m }' },
  )
  .describe('How a new version replaces the old one. A failed rollout is always rolled back.');

/** The keys a test job has; on the stage they are the defaults of every job (the simple form: its one job). */
const testJobFields = {
  image: opt(imageRef, 'Image the tests run in, from the allowed base images, e.g. node:20.'),
  script: opt(
    z
      .array(text('a shell command'), {
        error: 'expected a list of shell commands like [npm ci, npm test]',
      })
      .min(1, { error: 'list at least one command' })
      .max(MAX_SCRIPT_LINES, { error: `at most ${MAX_SCRIPT_LINES} commands` }),
    'Shell commands run in order in the checked-out commit; the first failure fails the job. ' +
      'Placeholders are not replaced here: use $FERRY_ENV, $FERRY_SERVICE, $FERRY_SHA, ...',
  ),
  timeout: opt(duration(MINUTE, 6 * HOUR), 'Stop the tests after this long (default 15m).'),
  env: opt(envMap('for the tests'), 'Variables for the tests.'),
  envFrom: opt(envFrom, 'Secrets/ConfigMaps for the tests.'),
  resources: opt(resources, 'CPU and memory of the test runner (default cpu 1, memory 2Gi).'),
  checkout: opt(
    z.boolean({ error: 'expected true or false' }),
    'Clone the commit before the script runs (default true); false for scripts that need no source.',
  ),
  services: opt(testServices, 'Services beside the tests, reachable at 127.0.0.1:<port>.'),
  cache: opt(testCache, 'Dependency cache kept between runs.'),
  reports: opt(testReports, 'Test reports collected after the job, even when it fails.'),
  coverage: opt(
    coveragePattern,
    "Regular expression (RE2) over the job log whose first group is the coverage percentage, e.g. '/Lines\\s*:\\s*(\\d+\\.?\\d*)%/'.",
  ),
};

const testJob = z
  .strictObject(testJobFields, {
    error: 'expected a job as a map like { image: node:20, script: [npm test] }',
  })
  .describe('One test job: its own runner, run beside the other jobs.');

const testStage = z
  .strictObject(
    {
      ...testJobFields,
      jobs: opt(
        z
          .record(z.string(), testJob.nullable(), { error: 'expected a map of job name to job' })
          .refine((m) => Object.keys(m).length <= MAX_TEST_JOBS, { error: `at most ${MAX_TEST_JOBS} jobs` })
          .meta({ propertyNames: { pattern: DNS1123_LABEL_PATTERN, maxLength: TEST_JOB_NAME_MAX } }),
        'Named jobs run in parallel, each in its own runner; the keys above are their defaults. ' +
          'Without jobs the stage is one job named test.',
      ),
      failFast: opt(
        z.boolean({ error: 'expected true or false' }),
        'A failing job cancels the other jobs (default true).',
      ),
      enabled: opt(
        z.boolean({ error: 'expected true or false' }),
        'Run this stage (default true). A library that is only tested sets build and deploy to false.',
      ),
    },
    { error: 'expected the test stage as a map' },
  )
  .describe('Runs the tests: one job (image + script), or several named jobs in parallel.');

const buildStage = z
  .strictObject(
    {
      dockerfile: opt(
        repoPath('a Dockerfile path'),
        'Dockerfile, relative to the repository root (default Dockerfile).',
      ),
      context: opt(
        repoPath('a directory'),
        'Build context directory, relative to the repository root (default .).',
      ),
      args: opt(
        z.record(z.string(), envValue.nullable(), { error: 'expected a map of NAME: value' }),
        'Build arguments (--build-arg). Never secrets: they stay in the image history.',
      ),
      target: opt(
        text('a stage name', 128).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
          error: 'expected a Dockerfile stage name',
        }),
        'Dockerfile stage to build (default: the last).',
      ),
      timeout: opt(duration(MINUTE, 6 * HOUR), 'Stop the build after this long (default 30m).'),
      enabled: opt(
        z.boolean({ error: 'expected true or false' }),
        'Run this stage (default true). A library that is only tested sets build and deploy to false.',
      ),
    },
    { error: 'expected the build stage as a map' },
  )
  .describe('Builds the image and pushes it to the registry, tagged with the commit sha.');

/**
 * The Pod Security Standard the service's pods meet. `restricted` is what managed clusters usually
 * enforce; `baseline` is for an image that must run as root, and says so with a warning.
 */
const podSecurity = z
  .enum(['restricted', 'baseline'], { error: 'expected restricted or baseline' })
  .superRefine((value, ctx) => {
    if (value !== 'baseline') return;
    const params: IssueParams = {
      code: 'relaxed-pod-security',
      severity: 'warning',
      hint: 'run the image as a non-root user (a numeric USER in its Dockerfile, or runAsUser) and drop this line: namespaces that enforce restricted refuse these pods',
    };
    ctx.addIssue({
      code: 'custom',
      message: 'the service runs with the baseline Pod Security level, as root if its image says so',
      params,
    });
  });

const deployStage = z
  .strictObject(
    {
      port: opt(intBetween(1, 65535, 'a port'), 'Port the service listens on (default 8080).'),
      replicas: opt(intBetween(0, MAX_REPLICAS), 'How many copies run (default 1).'),
      resources: opt(resources, 'CPU and memory of each copy (default cpu 100m, memory 256Mi).'),
      probes: opt(
        z
          .strictObject(
            {
              readiness: opt(probe, 'When a copy may take traffic (default: tcp on the port).'),
              liveness: opt(probe, 'When a copy is restarted (default: none).'),
            },
            { error: 'expected { readiness: ..., liveness: ... }' },
          )
          .describe('Health checks.'),
        'Health checks.',
      ),
      storage: opt(
        z.strictObject(
          {
            ...storageFields,
            mountPath: opt(mountPath, 'Where the volume appears in the container, e.g. /data.'),
          },
          { error: 'expected a map like { size: 5Gi, mountPath: /data }' },
        ),
        'A persistent volume, only for services that need one. Kept across deploys.',
      ),
      ingress: opt(ingressShape, 'Expose the service at a host name.'),
      env: opt(envMap('for the service'), 'Variables for the service.'),
      envFrom: opt(envFrom, 'Secrets/ConfigMaps for the service.'),
      rollout: opt(rollout, 'Rollout settings.'),
      securityContext: opt(
        podSecurity,
        'Pod Security level of the pods: restricted (default: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp) or baseline (only for an image that must run as root).',
      ),
      runAsUser: opt(
        intBetween(1, 2_147_483_647, 'a non-root uid'),
        'The uid the service runs as, for an image whose USER is root or a name (restricted needs a non-root uid the kubelet can check).',
      ),
      enabled: opt(
        z.boolean({ error: 'expected true or false' }),
        'Run this stage (default true). A library that is only tested sets build and deploy to false.',
      ),
    },
    { error: 'expected the deploy stage as a map' },
  )
  .describe('Deploys the image to the environment.');

const environment = z
  .strictObject(
    {
      branch: opt(
        branchName,
        'The branch whose merges deploy to this environment; unique across environments.',
      ),
      namespace: opt(
        text('a namespace', 253),
        'Kubernetes namespace, e.g. "{group}-prod". A DNS label once resolved.',
      ),
      replicas: opt(intBetween(0, MAX_REPLICAS), 'Overrides stages.deploy.replicas.'),
      resources: opt(resources, 'Overrides stages.deploy.resources, key by key.'),
      ingress: opt(ingressShape, 'Overrides stages.deploy.ingress, key by key.'),
      storage: opt(
        z.strictObject(storageFields, { error: 'expected a map like { size: 20Gi }' }),
        'Overrides size or storageClass of stages.deploy.storage (which must be declared).',
      ),
      approval: opt(
        z.boolean({ error: 'expected true or false' }),
        'Wait for someone to approve before deploying (default false).',
      ),
      approvalTimeout: opt(duration(MINUTE, 30 * DAY), 'Cancel when not approved within this (default 24h).'),
      canary: opt(canary, 'Gradual release steps (default: none, all at once).'),
      supersede: opt(
        z.boolean({ error: 'expected true or false' }),
        'A newer pipeline for this environment replaces older ones still queued (default true).',
      ),
      priority: opt(
        z.enum(['high', 'normal', 'low'], { error: 'expected high, normal or low' }),
        'Queue priority of this environment’s pipelines (default normal).',
      ),
      env: opt(envMap('in this environment'), 'Merged over stages.deploy.env, key by key.'),
      envFrom: opt(envFrom, 'Replaces stages.deploy.envFrom.'),
    },
    { error: 'expected the environment as a map' },
  )
  .describe('One environment: its branch, namespace, and how it differs from the stage defaults.');

export const specSchema = z
  .strictObject(
    {
      version: opt(z.literal(1, { error: 'expected 1' }), 'Format version of this file (1).'),
      service: opt(
        serviceName,
        'Service name (default: the project path’s last part). A DNS label of at most 39 characters.',
      ),
      group: opt(
        groupName,
        'Group (team) name (default: the top-level GitLab group). At most 42 characters.',
      ),
      stages: opt(
        z
          .strictObject(
            {
              test: opt(testStage, 'Runs the tests.'),
              build: opt(buildStage, 'Builds and pushes the image.'),
              deploy: opt(deployStage, 'Deploys the image.'),
            },
            { error: 'expected { test, build, deploy }' },
          )
          .describe('The three stages every pipeline runs, in order.'),
        'The stages: test, build, deploy.',
      ),
      environments: opt(
        z
          .record(z.string(), environment.nullable(), {
            error: 'expected a map of environment name to settings',
          })
          .refine((m) => Object.keys(m).length <= MAX_ENVIRONMENTS, {
            error: `at most ${MAX_ENVIRONMENTS} environments`,
          })
          .meta({ propertyNames: { pattern: DNS1123_LABEL_PATTERN, maxLength: ENVIRONMENT_NAME_MAX } }),
        'Environments by name; each is deployed from its branch.',
      ),
    },
    { error: 'expected the pipeline file to be a map of keys like stages and environments' },
  )
  .describe('Ferry pipeline file: pipelines/default.yml, or a project’s .ferry.yml overriding it.');

export type FerrySpec = z.output<typeof specSchema>;
export type StagesSpec = NonNullable<FerrySpec['stages']>;
export type TestStageSpec = NonNullable<StagesSpec['test']>;
export type TestJobSpec = NonNullable<NonNullable<TestStageSpec['jobs']>[string]>;
export type TestServiceSpec = NonNullable<TestJobSpec['services']>[number];
export type TestCacheSpec = NonNullable<TestJobSpec['cache']>;
export type BuildStageSpec = NonNullable<StagesSpec['build']>;
export type DeployStageSpec = NonNullable<StagesSpec['deploy']>;
export type EnvironmentSpec = NonNullable<NonNullable<FerrySpec['environments']>[string]>;
export type ResourcesSpec = NonNullable<DeployStageSpec['resources']>;
export type ProbeSpec = NonNullable<NonNullable<DeployStageSpec['probes']>['readiness']>;
export type IngressSpec = NonNullable<DeployStageSpec['ingress']>;
export type StorageSpec = NonNullable<DeployStageSpec['storage']>;
export type EnvFromSpec = NonNullable<DeployStageSpec['envFrom']>[number];
export type CanarySpec = NonNullable<EnvironmentSpec['canary']>;
export type EnvValue = z.output<typeof envValue>;
