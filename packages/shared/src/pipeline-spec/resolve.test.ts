import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPEC_ENVIRONMENT_UNKNOWN, SPEC_UNRESOLVABLE } from '../errors/codes/spec.js';
import { FerryError } from '../errors/ferry-error.js';
import { mergeSpecs } from './merge.js';
import { loadSpec, parseOverride } from './parse.js';
import { canaryStepsProblem, environmentForBranch, resolveSpec, tryResolveSpec } from './resolve.js';
import type { FerrySpec } from './schema.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const template = {
  text: readFileSync(new URL('../../../../pipelines/default.yml', import.meta.url), 'utf8'),
  file: 'pipelines/default.yml',
};

function load(text = ''): { spec: FerrySpec; locators: Parameters<typeof resolveSpec>[2] } {
  const result = loadSpec(template, { text, file: '.ferry.yml' });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return { spec: result.spec, locators: result.locators };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

describe('resolveSpec', () => {
  it('resolves the default template for each environment', () => {
    const { spec } = load();
    const ctx = { sha: SHA, project: 'payments/api-gateway' };
    const test = resolveSpec(spec, { ...ctx, env: 'test' });
    const prod = resolveSpec(spec, { ...ctx, env: 'prod' });
    expect(test).toMatchObject({
      environment: 'test',
      branch: 'test',
      namespace: 'payments-test',
      service: 'api-gateway',
      group: 'payments',
      shortSha: '01234567',
      image: { repository: 'payments/api-gateway', tag: SHA },
      approval: { required: false },
      canary: null,
      supersede: true,
      priority: 'low',
    });
    expect(test.deploy.replicas).toBe(1);
    expect(prod.deploy.replicas).toBe(2);
    expect(prod).toMatchObject({
      namespace: 'payments-prod',
      approval: { required: true, timeoutMs: 86_400_000 },
      canary: { steps: [10, 50, 100], pauseMs: 300_000 },
      priority: 'high',
    });
    expect(prod.names).toMatchObject({ deployment: 'api-gateway', canaryDeployment: 'api-gateway-canary' });
    expect(prod.deploy.envFrom).toEqual([
      { kind: 'configMap', name: 'api-gateway-config', optional: true },
      { kind: 'secret', name: 'api-gateway-secrets', optional: true },
    ]);
    expect(prod.deploy.readiness).toEqual({
      kind: 'tcp',
      path: null,
      port: 8080,
      initialDelayMs: 0,
      periodMs: 10_000,
      failureThreshold: 3,
    });
    expect(prod.test).toMatchObject({
      image: 'node:20-bookworm',
      script: ['npm ci', 'npm test'],
      timeoutMs: 900_000,
    });
    expect(prod.build).toEqual({
      dockerfile: 'Dockerfile',
      context: '.',
      args: {},
      target: null,
      timeoutMs: 1_800_000,
    });
    expect(prod.placeholders.branch).toBe('master');
  });

  it('applies environment overrides over the stage settings', () => {
    const { spec } = load(`service: shop
stages:
  deploy:
    port: 3000
    resources: { cpu: 200m, memory: 512Mi }
    env: { LOG_LEVEL: info, FEATURE_X: "on", RELEASE: "{service}-{shortSha}" }
    envFrom: [{ secretRef: "{service}-{env}" }]
    ingress: { host: "{service}.{env}.example.com", tlsSecret: "{env}-tls" }
    replicas: 1
    storage: { size: 5Gi, mountPath: /data }
    probes:
      readiness: { http: /ready }
      liveness: { tcp: true, port: 9000, initialDelay: 30s }
  build:
    args: { APP_ENV: "{env}", BUILD_NUMBER: 7 }
environments:
  prod:
    replicas: 1
    resources: { memory: 1Gi }
    env: { LOG_LEVEL: warn, FEATURE_X: null }
    envFrom: [{ configMapRef: prod-config }]
    ingress: { host: shop.example.com }
    storage: { size: 50Gi, storageClass: fast }
    canary: [20, 100]
    supersede: false
`);
    const plan = resolveSpec(spec, { env: 'prod', sha: SHA, project: 'retail/shop' });
    expect(plan.deploy).toMatchObject({
      port: 3000,
      replicas: 1,
      resources: { cpu: '200m', memory: '1Gi', cpuLimit: null, memoryLimit: '1Gi' },
      env: { LOG_LEVEL: 'warn', RELEASE: 'shop-01234567' },
      envFrom: [{ kind: 'configMap', name: 'prod-config', optional: false }],
      ingress: { host: 'shop.example.com', path: '/', tlsSecret: 'prod-tls' },
      storage: { size: '50Gi', storageClass: 'fast', mountPath: '/data' },
      readiness: { kind: 'http', path: '/ready', port: 3000 },
      liveness: { kind: 'tcp', port: 9000, initialDelayMs: 30_000 },
    });
    expect(plan.build.args).toEqual({ APP_ENV: 'prod', BUILD_NUMBER: '7' });
    expect(plan.canary).toEqual({ steps: [20, 100], pauseMs: 300_000 });
    expect(plan.supersede).toBe(false);
    const staging = resolveSpec(spec, { env: 'staging', sha: SHA, project: 'retail/shop' });
    expect(staging.deploy.ingress?.host).toBe('shop.staging.example.com');
    expect(staging.deploy.envFrom).toEqual([{ kind: 'secret', name: 'shop-staging', optional: false }]);
    expect(staging.deploy.env).toEqual({ LOG_LEVEL: 'info', FEATURE_X: 'on', RELEASE: 'shop-01234567' });
  });

  it('does not change the spec it is given', () => {
    const { spec } = load('stages:\n  deploy:\n    env: { A: "{env}" }\n');
    const frozen = deepFreeze(structuredClone(spec));
    expect(() => resolveSpec(frozen, { env: 'prod', sha: SHA, project: 'a/b' })).not.toThrow();
    expect(frozen).toEqual(spec);
  });

  it('uses the context defaults for service and group only when the spec has none', () => {
    const { spec } = load();
    const plan = resolveSpec(spec, { env: 'test', sha: SHA, project: 'x/y', service: 'svc', group: 'team' });
    expect([plan.service, plan.group, plan.namespace]).toEqual(['svc', 'team', 'team-test']);
    const own = load('service: mine\n').spec;
    expect(resolveSpec(own, { env: 'test', sha: SHA, project: 'x/y', service: 'svc' }).service).toBe('mine');
  });

  it('takes the branch from the context when given', () => {
    const { spec } = load('stages:\n  deploy:\n    env: { BRANCH: "{branch}" }\n');
    expect(
      resolveSpec(spec, { env: 'test', sha: SHA, project: 'a/b', branch: 'hotfix' }).deploy.env.BRANCH,
    ).toBe('hotfix');
  });

  it.each([
    [
      'a project name starting with a digit',
      'team/1password-sync',
      'service',
      'invalid-name',
      'must start with a letter',
    ],
    ['a project name too long', `team/${'x'.repeat(40)}`, 'service', 'name-too-long', 'the limit is 39'],
    ['a project without a group', 'solo-project', 'group', 'invalid-name', 'it is empty'],
    ['a group too long', `${'g'.repeat(43)}/api`, 'group', 'name-too-long', 'the limit is 42'],
  ])('refuses %s, telling what to set', (_name, project, path, code, fragment) => {
    const { spec, locators } = load();
    const result = tryResolveSpec(spec, { env: 'test', sha: SHA, project }, locators);
    expect(result.ok).toBe(false);
    const problem = result.ok ? undefined : result.problems.find((p) => p.path === path);
    expect(problem).toMatchObject({ code });
    expect(problem?.message).toContain(fragment);
    expect(problem?.message).toContain(`derived from the project path "${project}"`);
    expect(problem?.hint).toContain(`set ${path}: in .ferry.yml`);
    expect(() => resolveSpec(spec, { env: 'test', sha: SHA, project })).toThrow(FerryError);
  });

  it('throws SPEC_UNRESOLVABLE with the problems as details', () => {
    const { spec } = load();
    try {
      resolveSpec(spec, { env: 'test', sha: SHA, project: 'team/1x' });
      expect.unreachable();
    } catch (error) {
      expect(error instanceof FerryError && error.is(SPEC_UNRESOLVABLE)).toBe(true);
      expect((error as FerryError).details).toEqual([expect.objectContaining({ path: 'service' })]);
    }
  });

  it('throws SPEC_ENVIRONMENT_UNKNOWN for an environment the spec lacks', () => {
    const { spec } = load();
    try {
      resolveSpec(spec, { env: 'qa', sha: SHA, project: 'a/b' });
      expect.unreachable();
    } catch (error) {
      expect(error instanceof FerryError && error.is(SPEC_ENVIRONMENT_UNKNOWN)).toBe(true);
      expect((error as FerryError).message).toContain('test, staging, prod');
    }
  });

  it('refuses a sha that is not one', () => {
    const { spec } = load();
    expect(() => resolveSpec(spec, { env: 'test', sha: 'HEAD', project: 'a/b' })).toThrow(TypeError);
    expect(resolveSpec(spec, { env: 'test', sha: 'a'.repeat(64), project: 'a/b' }).shortSha).toBe('aaaaaaaa');
  });

  it('places problems in the files with locators, and at position 0 without', () => {
    // Lint would refuse this namespace; resolve the merged files directly.
    const base = load();
    const top = parseOverride(
      'environments:\n  test: { namespace: "{group}-{service}-test" }\n',
      '.ferry.yml',
    );
    if (!top.ok) throw new Error('override must parse');
    const spec = mergeSpecs(base.spec, top.spec);
    const locators = [...top.locators, ...(base.locators ?? [])];
    const ctx = { env: 'test', sha: SHA, project: `${'g'.repeat(40)}/${'s'.repeat(30)}` };
    const placed = tryResolveSpec(spec, ctx, locators);
    expect(placed.ok ? [] : placed.problems).toEqual([
      expect.objectContaining({ code: 'invalid-namespace', file: '.ferry.yml', line: 2, column: 22 }),
    ]);
    const bare = tryResolveSpec(spec, ctx);
    expect(bare.ok ? [] : bare.problems).toEqual([
      expect.objectContaining({ file: '(spec)', line: 0, column: 0 }),
    ]);
  });
});

describe('environmentForBranch', () => {
  it.each([
    ['master', 'prod'],
    ['staging', 'staging'],
    ['test', 'test'],
    ['feature/x', undefined],
  ])('%j → %j', (branch, env) => {
    expect(environmentForBranch(load().spec, branch)).toBe(env);
  });
});

describe('canaryStepsProblem', () => {
  it.each([
    [[10, 50, 100], undefined],
    [[100], undefined],
    [[1, 2, 3, 100], undefined],
    [[50, 10, 100], 'must increase'],
    [[10, 10, 100], 'must increase'],
    [[10, 50], 'must be 100'],
  ])('%j → %j', (steps, fragment) => {
    const why = canaryStepsProblem(steps);
    if (fragment === undefined) expect(why).toBeUndefined();
    else expect(why).toContain(fragment);
  });
});
