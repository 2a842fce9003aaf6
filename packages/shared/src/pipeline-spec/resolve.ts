import { SPEC_ENVIRONMENT_UNKNOWN, SPEC_UNRESOLVABLE } from '../errors/codes/spec.js';
import { FerryError } from '../errors/ferry-error.js';
import { DEFAULTS, type Priority } from './defaults.js';
import type { SpecLocator } from './locator.js';
import { mergeValues } from './merge.js';
import {
  deriveGroupName,
  deriveServiceName,
  groupNameProblem,
  imageRepository,
  imageTag,
  isDns1123Subdomain,
  nameProblemCode,
  namespaceProblem,
  objectNames,
  serviceNameProblem,
  shortSha,
} from './names.js';
import type { PlaceholderValues } from './placeholders.js';
import type {
  ResolvedDeployStage,
  ResolvedIngress,
  ResolvedPlan,
  ResolvedProbe,
  ResolvedStorage,
} from './plan.js';
import {
  given,
  type Maybe,
  origin,
  type Path,
  PlanBuilder,
  resolveEnvFrom,
  resolveEnvMaps,
  resolveResources,
} from './plan-builder.js';
import { dedupeFindings, type Finding, findingToProblem, type SpecProblem } from './problems.js';
import { resolveTestStage } from './resolve-test.js';
import type {
  CanarySpec,
  EnvironmentSpec,
  FerrySpec,
  IngressSpec,
  ProbeSpec,
  StorageSpec,
} from './schema.js';

/** What a pipeline run knows that the spec does not. */
export interface ResolveContext {
  /** The environment to resolve (a key of `environments`). */
  readonly env: string;
  /** The full commit sha (40 or 64 lowercase hex). */
  readonly sha: string;
  /** The GitLab project path, e.g. `payments/api`. */
  readonly project: string;
  /** The branch pushed; default: the environment's branch. */
  readonly branch?: string;
  /** Service name when the spec sets none; default: derived from `project`. */
  readonly service?: string;
  /** Group name when the spec sets none; default: derived from `project`. */
  readonly group?: string;
  /** Labels for the environment's namespace from Ferry's configuration (`namespaceLabels`). */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

export interface ResolveOutcome {
  /** Undefined when an error finding was raised. */
  readonly plan: ResolvedPlan | undefined;
  readonly findings: Finding[];
}

const SHA_RE = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function resolveProbe(b: PlanBuilder, probe: ProbeSpec, port: number, path: Path): ResolvedProbe {
  const d = DEFAULTS.deploy.probe;
  return {
    kind: given(probe.http) ? 'http' : 'tcp',
    path: given(probe.http) ? probe.http : null,
    port: probe.port ?? port,
    initialDelayMs: b.ms(probe.initialDelay ?? d.initialDelay, [...path, 'initialDelay']),
    periodMs: b.ms(probe.period ?? d.period, [...path, 'period']),
    failureThreshold: probe.failureThreshold ?? d.failureThreshold,
  };
}

function resolveStorage(
  b: PlanBuilder,
  stage: Maybe<StorageSpec>,
  env: Maybe<Omit<StorageSpec, 'mountPath'>>,
  stagePath: Path,
  envPath: Path,
): ResolvedStorage | null {
  if (!given(stage)) {
    if (given(env)) {
      b.add({
        path: envPath,
        code: 'storage-not-declared',
        message: 'this environment changes storage, but stages.deploy declares none',
        hint: 'declare storage (size, mountPath) under stages.deploy; environments may only change size or storageClass',
      });
    }
    return null;
  }
  const merged = mergeValues(stage, env ?? {}) as StorageSpec;
  if (!given(merged.size)) b.required([...stagePath, 'size'], 'storage size (e.g. 5Gi)');
  if (!given(merged.mountPath)) b.required([...stagePath, 'mountPath'], 'storage mountPath (e.g. /data)');
  return {
    size: String(merged.size ?? ''),
    storageClass: merged.storageClass ?? null,
    mountPath: merged.mountPath ?? '',
  };
}

function resolveIngress(
  b: PlanBuilder,
  stage: Maybe<IngressSpec>,
  env: Maybe<IngressSpec>,
  stagePath: Path,
  envPath: Path,
): ResolvedIngress | null {
  if (!given(stage) && !given(env)) return null;
  const merged = mergeValues(stage ?? {}, env ?? {}) as IngressSpec;
  if (!given(merged.host)) {
    b.required(given(env) ? envPath : stagePath, 'ingress host');
    return null;
  }
  const hostPath = origin('host', env, envPath, stagePath);
  const host = b.sub(merged.host, hostPath);
  if (!isDns1123Subdomain(host)) {
    b.add({
      path: hostPath,
      code: 'invalid-host',
      message: `the host resolves to "${host}", which is not a valid host name`,
      hint: 'lowercase labels of a-z, 0-9 and "-" separated by dots, each at most 63 characters',
    });
  }
  const pathPath = origin('path', env, envPath, stagePath);
  const path = b.sub(merged.path ?? DEFAULTS.deploy.ingressPath, pathPath);
  if (!path.startsWith('/') || /\s/.test(path)) {
    b.add({
      path: pathPath,
      code: 'invalid-path',
      message: `the path "${path}" must start with "/" and hold no spaces`,
    });
  }
  let tlsSecret: string | null = null;
  if (given(merged.tlsSecret)) {
    const tlsPath = origin('tlsSecret', env, envPath, stagePath);
    tlsSecret = b.sub(merged.tlsSecret, tlsPath);
    if (!isDns1123Subdomain(tlsSecret)) {
      b.add({ path: tlsPath, code: 'invalid-name', message: `"${tlsSecret}" is not a valid Secret name` });
    }
  }
  return { host, path, tlsSecret };
}

/** Canary steps: whole percentages, strictly increasing, ending at 100. */
export function canaryStepsProblem(steps: readonly number[]): string | undefined {
  for (let i = 1; i < steps.length; i++) {
    if ((steps[i] ?? 0) <= (steps[i - 1] ?? 0))
      return `steps must increase: ${steps[i]} follows ${steps[i - 1]}`;
  }
  if (steps[steps.length - 1] !== 100) return 'the last step must be 100 (all traffic on the new version)';
  return undefined;
}

function resolveCanary(b: PlanBuilder, canary: Maybe<CanarySpec>, path: Path): ResolvedPlan['canary'] {
  if (!given(canary)) return null;
  const steps = Array.isArray(canary) ? canary : canary.steps;
  const stepsPath = Array.isArray(canary) ? path : [...path, 'steps'];
  const pause = Array.isArray(canary) ? undefined : canary.pause;
  const why = canaryStepsProblem(steps);
  if (why) b.add({ path: stepsPath, code: 'invalid-canary', message: why, hint: 'e.g. [10, 50, 100]' });
  else if (steps.length === 1) {
    b.add({
      path: stepsPath,
      code: 'invalid-canary',
      severity: 'warning',
      message: 'a single step of 100 is no canary',
      hint: 'remove canary, or add steps like [10, 50, 100]',
    });
  }
  return { steps: [...steps], pauseMs: b.ms(pause ?? DEFAULTS.environment.canaryPause, [...path, 'pause']) };
}

function resolveDeploy(
  b: PlanBuilder,
  spec: FerrySpec,
  environment: EnvironmentSpec,
  envPath: Path,
): ResolvedDeployStage {
  const deploy = spec.stages?.deploy ?? {};
  const stagePath = ['stages', 'deploy'];
  const d = DEFAULTS.deploy;
  const port = deploy.port ?? d.port;
  const replicas = environment.replicas ?? deploy.replicas ?? d.replicas;
  const probesPath = [...stagePath, 'probes'];
  const readiness = deploy.probes?.readiness;
  const liveness = deploy.probes?.liveness;
  const storage = resolveStorage(
    b,
    deploy.storage,
    environment.storage,
    [...stagePath, 'storage'],
    [...envPath, 'storage'],
  );
  if (storage && replicas > 1) {
    b.add({
      path: origin('replicas', environment, envPath, stagePath),
      code: 'shared-storage',
      severity: 'warning',
      message: `${replicas} replicas share one storage volume`,
      hint: 'the storageClass must allow shared access (e.g. NAS); otherwise use replicas: 1',
    });
  }
  const rollout = deploy.rollout ?? {};
  return {
    port,
    replicas,
    resources: resolveResources(
      b,
      deploy.resources,
      environment.resources,
      [...stagePath, 'resources'],
      [...envPath, 'resources'],
      d,
    ),
    readiness: given(readiness)
      ? resolveProbe(b, readiness, port, [...probesPath, 'readiness'])
      : resolveProbe(b, { tcp: true }, port, [...probesPath, 'readiness']),
    liveness: given(liveness) ? resolveProbe(b, liveness, port, [...probesPath, 'liveness']) : null,
    storage,
    ingress: resolveIngress(
      b,
      deploy.ingress,
      environment.ingress,
      [...stagePath, 'ingress'],
      [...envPath, 'ingress'],
    ),
    env: resolveEnvMaps(b, [
      [deploy.env, [...stagePath, 'env']],
      [environment.env, [...envPath, 'env']],
    ]),
    envFrom: given(environment.envFrom)
      ? resolveEnvFrom(b, environment.envFrom, [...envPath, 'envFrom'])
      : resolveEnvFrom(b, deploy.envFrom, [...stagePath, 'envFrom']),
    security: { level: deploy.securityContext ?? 'restricted', runAsUser: deploy.runAsUser ?? null },
    rollout: {
      progressDeadlineMs: b.ms(rollout.progressDeadline ?? d.rollout.progressDeadline, [
        ...stagePath,
        'rollout',
        'progressDeadline',
      ]),
      maxSurge: rollout.maxSurge ?? d.rollout.maxSurge,
      maxUnavailable: rollout.maxUnavailable ?? d.rollout.maxUnavailable,
    },
  };
}

function nameFinding(path: Path, kind: string, name: string, why: string, derivedFrom?: string): Finding {
  return {
    path,
    code: nameProblemCode(why),
    message: `the ${kind} name "${name}"${derivedFrom === undefined ? '' : ` (derived from ${derivedFrom})`} is not allowed: ${why}`,
    hint: `set ${kind}: in .ferry.yml to lowercase letters, digits and "-"`,
  };
}

/**
 * Resolves `spec` for one environment and commit: defaults, environment overrides,
 * placeholders, then checks what the substitution produced. Pure.
 */
export function resolvePlan(spec: FerrySpec, ctx: ResolveContext): ResolveOutcome {
  if (!SHA_RE.test(ctx.sha))
    throw new TypeError(`sha must be 40 or 64 lowercase hex characters, got "${ctx.sha}"`);
  const environments = spec.environments ?? {};
  const environment = environments[ctx.env];
  const envPath = ['environments', ctx.env];
  if (!given(environment)) {
    const known = Object.keys(environments).join(', ') || 'none';
    return {
      plan: undefined,
      findings: [
        {
          path: ['environments'],
          code: 'unknown-environment',
          message: `there is no environment "${ctx.env}"`,
          hint: `environments: ${known}`,
        },
      ],
    };
  }

  const service = spec.service ?? ctx.service ?? deriveServiceName(ctx.project);
  const group = spec.group ?? ctx.group ?? deriveGroupName(ctx.project);
  const branch = ctx.branch ?? environment.branch ?? '';
  const values: PlaceholderValues = {
    env: ctx.env,
    service,
    group,
    sha: ctx.sha,
    shortSha: shortSha(ctx.sha),
    project: ctx.project,
    branch,
  };
  const b = new PlanBuilder(values);
  const derived = (key: 'service' | 'group') =>
    given(spec[key]) || given(ctx[key]) ? undefined : `the project path "${ctx.project}"`;
  const serviceWhy = serviceNameProblem(service);
  if (serviceWhy) b.add(nameFinding(['service'], 'service', service, serviceWhy, derived('service')));
  const groupWhy = groupNameProblem(group);
  if (groupWhy) b.add(nameFinding(['group'], 'group', group, groupWhy, derived('group')));
  if (!given(environment.branch)) b.required([...envPath, 'branch'], 'the environment branch');

  let namespace = '';
  if (!given(environment.namespace)) b.required([...envPath, 'namespace'], 'the environment namespace');
  else {
    namespace = b.sub(environment.namespace, [...envPath, 'namespace']);
    const why = namespaceProblem(namespace);
    if (why) {
      b.add({
        path: [...envPath, 'namespace'],
        code: 'invalid-namespace',
        message: `the namespace resolves to "${namespace}", which is not allowed: ${why}`,
        hint: 'a DNS label: lowercase letters, digits and "-", at most 63 characters',
      });
    }
  }

  const test = spec.stages?.test ?? {};
  const build = spec.stages?.build ?? {};
  const buildPath = ['stages', 'build'];
  const deploy = resolveDeploy(b, spec, environment, envPath);

  const plan: ResolvedPlan = {
    environment: ctx.env,
    branch,
    namespace,
    namespaceLabels: { ...(ctx.namespaceLabels ?? {}) },
    service,
    group,
    project: ctx.project,
    sha: ctx.sha,
    shortSha: values.shortSha,
    placeholders: values,
    names: objectNames(service),
    image: { repository: imageRepository(group, service), tag: imageTag(ctx.sha) },
    stages: enabledStages(b, test.enabled, build.enabled, spec.stages?.deploy?.enabled),
    test: resolveTestStage(b, test),
    build: {
      dockerfile: build.dockerfile ?? DEFAULTS.build.dockerfile,
      context: build.context ?? DEFAULTS.build.context,
      args: resolveEnvMaps(b, [[build.args, [...buildPath, 'args']]]),
      target: build.target ?? null,
      timeoutMs: b.ms(build.timeout ?? DEFAULTS.build.timeout, [...buildPath, 'timeout']),
    },
    deploy,
    approval: {
      required: environment.approval ?? DEFAULTS.environment.approval,
      timeoutMs: b.ms(environment.approvalTimeout ?? DEFAULTS.environment.approvalTimeout, [
        ...envPath,
        'approvalTimeout',
      ]),
    },
    canary: resolveCanary(b, environment.canary, [...envPath, 'canary']),
    supersede: environment.supersede ?? DEFAULTS.environment.supersede,
    priority: (environment.priority ?? DEFAULTS.environment.priority) as Priority,
  };
  const findings = dedupeFindings(b.findings);
  return { plan: b.hasErrors() ? undefined : plan, findings };
}

export type ResolveResult =
  | { readonly ok: true; readonly plan: ResolvedPlan; readonly warnings: SpecProblem[] }
  | { readonly ok: false; readonly problems: SpecProblem[]; readonly warnings: SpecProblem[] };

/** resolvePlan with findings placed in the files (`locators`: the project's file first). */
export function tryResolveSpec(
  spec: FerrySpec,
  ctx: ResolveContext,
  locators: readonly SpecLocator[] = [],
): ResolveResult {
  const { plan, findings } = resolvePlan(spec, ctx);
  const problems = findings.map((f) => findingToProblem(f, locators));
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  return plan ? { ok: true, plan, warnings } : { ok: false, problems: errors, warnings };
}

/**
 * The plan for one environment and commit. Throws FerryError SPEC_ENVIRONMENT_UNKNOWN when
 * the spec has no such environment, SPEC_UNRESOLVABLE (details: SpecProblem[]) otherwise.
 */
export function resolveSpec(
  spec: FerrySpec,
  ctx: ResolveContext,
  locators: readonly SpecLocator[] = [],
): ResolvedPlan {
  const result = tryResolveSpec(spec, ctx, locators);
  if (result.ok) return result.plan;
  if (result.problems.some((p) => p.code === 'unknown-environment')) {
    throw new FerryError(SPEC_ENVIRONMENT_UNKNOWN, {
      env: ctx.env,
      known: Object.keys(spec.environments ?? {}).join(', ') || 'none',
    });
  }
  throw new FerryError(
    SPEC_UNRESOLVABLE,
    { env: ctx.env, count: result.problems.length },
    { details: result.problems },
  );
}

/** The environment whose branch is `branch`, or undefined when the branch deploys nowhere. */
export function environmentForBranch(spec: FerrySpec, branch: string): string | undefined {
  return Object.entries(spec.environments ?? {}).find(([, e]) => given(e) && e.branch === branch)?.[0];
}

/** The stages that run; deploy cannot run without the image build makes. */
function enabledStages(
  b: PlanBuilder,
  test: Maybe<boolean>,
  build: Maybe<boolean>,
  deploy: Maybe<boolean>,
): Array<'test' | 'build' | 'deploy'> {
  const on = { test: test !== false, build: build !== false, deploy: deploy !== false };
  if (on.deploy && !on.build) {
    b.add({
      path: ['stages', 'deploy', 'enabled'],
      code: 'invalid-value',
      message: 'deploy needs the image the build stage makes, but build is disabled',
      hint: 'set stages.deploy.enabled: false as well, or enable the build',
    });
  }
  return (['test', 'build', 'deploy'] as const).filter((stage) => on[stage]);
}
