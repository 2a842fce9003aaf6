import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPEC_INVALID } from '../errors/codes/spec.js';
import { FerryError } from '../errors/ferry-error.js';
import { loadSpec, loadSpecOrThrow, parseOverride, parseSpec, parseSpecOrThrow } from './parse.js';
import type { SpecProblem } from './problems.js';

const TEMPLATE_FILE = 'pipelines/default.yml';
const template = {
  text: readFileSync(new URL('../../../../pipelines/default.yml', import.meta.url), 'utf8'),
  file: TEMPLATE_FILE,
};

/** A complete spec that stands alone; the bad cases below change one thing each. */
const STANDALONE = `version: 1
service: api
group: payments
stages:
  test:
    image: node:20
    script: [npm test]
  deploy:
    port: 8080
environments:
  test: { branch: test, namespace: "{group}-test" }
  prod: { branch: master, namespace: "{group}-prod" }
`;

function override(text: string) {
  return loadSpec(template, { text, file: '.ferry.yml' });
}

function problems(result: ReturnType<typeof loadSpec>): SpecProblem[] {
  return result.ok ? [] : result.problems;
}

describe('parseSpec: a complete spec', () => {
  it('accepts the standalone example', () => {
    const result = parseSpec(STANDALONE, 'spec.yml');
    expect(problems(result)).toEqual([]);
    expect(result.ok && result.spec.environments?.prod?.branch).toBe('master');
  });

  it('accepts the default template with no warnings', () => {
    const result = parseSpec(template.text, TEMPLATE_FILE);
    expect(problems(result)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it.each([
    ['no test image', STANDALONE.replace('    image: node:20\n', ''), 'required', 'stages.test.image'],
    ['no script', STANDALONE.replace('    script: [npm test]\n', ''), 'required', 'stages.test.script'],
    ['no environments', STANDALONE.replace(/environments:[\s\S]*$/, ''), 'required', 'environments'],
    [
      'no namespace',
      STANDALONE.replace(', namespace: "{group}-prod"', ''),
      'required',
      'environments.prod.namespace',
    ],
    ['no branch', STANDALONE.replace('branch: master, ', ''), 'required', 'environments.prod.branch'],
  ])('reports %s', (_name, text, code, path) => {
    const found = problems(parseSpec(text, 'spec.yml'));
    expect(found).toContainEqual(expect.objectContaining({ code, path, file: 'spec.yml' }));
  });

  it('throws FerryError SPEC_INVALID with the problems as details', () => {
    expect(() => parseSpecOrThrow('stages: 1\n', 'bad.yml')).toThrow(FerryError);
    try {
      parseSpecOrThrow('stages: 1\n', 'bad.yml');
    } catch (error) {
      expect(error instanceof FerryError && error.is(SPEC_INVALID)).toBe(true);
      expect(error instanceof FerryError && error.message).toContain('bad.yml');
      expect((error as FerryError).details).toEqual([
        expect.objectContaining({ code: 'invalid-type', path: 'stages' }),
      ]);
    }
    expect(parseSpecOrThrow(STANDALONE, 'ok.yml').service).toBe('api');
  });
});

describe('loadSpec: .ferry.yml over the default template', () => {
  it.each([
    ['an empty file', ''],
    ['a comment only', '# nothing to change\n'],
    [
      'a different test image and script',
      'stages:\n  test:\n    image: golang:1.22\n    script: [go test ./...]\n',
    ],
    ['a service name', 'service: order-service\ngroup: payments\n'],
    ['the longest service name', `service: s${'a'.repeat(38)}\n`],
    [
      'storage',
      'stages:\n  deploy:\n    replicas: 1\n    storage: { size: 5Gi, storageClass: nas, mountPath: /data }\n',
    ],
    [
      'storage changed per environment',
      'stages:\n  deploy:\n    replicas: 1\n    storage: { size: 5Gi, mountPath: /data }\nenvironments:\n  prod: { storage: { size: 50Gi } }\n',
    ],
    [
      'an ingress',
      'stages:\n  deploy:\n    ingress: { host: "{service}.{env}.example.com", tlsSecret: wildcard-tls }\n',
    ],
    ['an ingress only in prod', 'environments:\n  prod:\n    ingress: { host: "api.example.com" }\n'],
    ['canary as a list', 'environments:\n  prod: { canary: [25, 100] }\n'],
    ['canary removed', 'environments:\n  prod: { canary: null }\n'],
    ['an environment removed', 'environments:\n  staging: null\n'],
    ['a new environment', 'environments:\n  qa: { branch: qa, namespace: "{group}-qa", approval: false }\n'],
    ['prod on main', 'environments:\n  prod: { branch: main }\n'],
    [
      'plain env values with placeholders',
      'stages:\n  deploy:\n    env:\n      LOG_LEVEL: info\n      RELEASE: "{service}@{shortSha}"\n      WORKERS: 4\n      DEBUG: false\n      LITERAL: "{{env}}"\n',
    ],
    [
      'secrets by name',
      'stages:\n  deploy:\n    envFrom:\n      - secretRef: "{service}-db"\n      - configMapRef: shared-config\n',
    ],
    [
      'probes',
      'stages:\n  deploy:\n    probes:\n      readiness: { http: /ready, period: 5s }\n      liveness: { http: /healthz, initialDelay: 30s }\n',
    ],
    [
      'resources and limits',
      'stages:\n  deploy:\n    resources: { cpu: 500m, memory: 1Gi, cpuLimit: "2", memoryLimit: 2Gi }\n',
    ],
    [
      'rollout settings',
      'stages:\n  deploy:\n    rollout: { progressDeadline: 15m, maxSurge: 1, maxUnavailable: 25% }\n',
    ],
    [
      'build settings',
      'stages:\n  build:\n    dockerfile: docker/app.Dockerfile\n    context: .\n    target: runtime\n    args: { NODE_ENV: production }\n',
    ],
    [
      'anchors, aliases and merge keys',
      'environments:\n  test: &small { replicas: 1 }\n  staging:\n    <<: *small\n    approval: true\n',
    ],
    [
      'a shell variable in a script',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, on purpose
      'stages:\n  test:\n    script: ["echo ${FERRY_ENV}", "test -n \\"$HOME\\""]\n',
    ],
  ])('accepts %s', (_name, text) => {
    const result = override(text);
    expect(problems(result)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it.each([
    // [name, .ferry.yml, code, path, line, column]
    ['a misspelt top-level key', 'enviroments: {}\n', 'unknown-key', 'enviroments', 1, 1],
    [
      'a misspelt stage key',
      'stages:\n  test:\n    scirpt: [x]\n',
      'unknown-key',
      'stages.test.scirpt',
      3,
      5,
    ],
    ['an unknown stage', 'stages:\n  tests: {}\n', 'unknown-key', 'stages.tests', 2, 3],
    [
      'a misspelt environment key',
      'environments:\n  prod: { replica: 3 }\n',
      'unknown-key',
      'environments.prod.replica',
      2,
      11,
    ],
    ['a service name with capitals', 'service: OrderService\n', 'invalid-name', 'service', 1, 10],
    ['a service name one too long', `service: s${'a'.repeat(39)}\n`, 'name-too-long', 'service', 1, 10],
    ['a service name starting with a digit', 'service: 1api\n', 'invalid-name', 'service', 1, 10],
    ['a group name with "_"', 'group: pay_ments\n', 'invalid-name', 'group', 1, 8],
    [
      'an environment name with capitals',
      'environments:\n  QA: { branch: qa, namespace: q }\n',
      'invalid-name',
      'environments.QA',
      2,
      3,
    ],
    [
      'an environment name too long',
      `environments:\n  ${'e'.repeat(21)}: { branch: e, namespace: e }\n`,
      'name-too-long',
      `environments.${'e'.repeat(21)}`,
      2,
      3,
    ],
    [
      'a branch used twice',
      'environments:\n  staging: { branch: master }\n',
      'duplicate-branch',
      'environments.prod.branch',
      0,
      0,
    ],
    [
      'an invalid branch',
      'environments:\n  prod: { branch: "my branch" }\n',
      'invalid-branch',
      'environments.prod.branch',
      2,
      19,
    ],
    [
      'a namespace too long',
      `environments:\n  prod: { namespace: "${'n'.repeat(64)}" }\n`,
      'invalid-namespace',
      'environments.prod.namespace',
      2,
      22,
    ],
    [
      'a namespace with capitals',
      'environments:\n  prod: { namespace: "Payments-{env}" }\n',
      'invalid-namespace',
      'environments.prod.namespace',
      2,
      22,
    ],
    [
      'a namespace too long once placeholders resolve',
      'environments:\n  prod: { namespace: "{group}-{service}-{env}" }\n',
      'invalid-namespace',
      'environments.prod.namespace',
      2,
      22,
    ],
    [
      'a namespace with the project path',
      'environments:\n  prod: { namespace: "{project}" }\n',
      'invalid-namespace',
      'environments.prod.namespace',
      2,
      22,
    ],
    [
      'an unknown placeholder',
      'environments:\n  prod: { namespace: "{team}-prod" }\n',
      'unknown-placeholder',
      'environments.prod.namespace',
      2,
      22,
    ],
    [
      'a placeholder where none is resolved',
      'stages:\n  test:\n    image: "node:{env}"\n',
      'placeholder-not-allowed',
      'stages.test.image',
      3,
      12,
    ],
    [
      'a placeholder in a branch',
      'environments:\n  prod: { branch: "{env}" }\n',
      'placeholder-not-allowed',
      'environments.prod.branch',
      2,
      19,
    ],
    [
      'an invalid image',
      'stages:\n  test:\n    image: "Node 20"\n',
      'invalid-image',
      'stages.test.image',
      3,
      12,
    ],
    [
      'a bad duration',
      'stages:\n  test:\n    timeout: 15 minutes\n',
      'invalid-duration',
      'stages.test.timeout',
      3,
      14,
    ],
    [
      'a duration without a unit',
      'stages:\n  test:\n    timeout: 900\n',
      'invalid-type',
      'stages.test.timeout',
      3,
      14,
    ],
    [
      'a duration out of range',
      'stages:\n  test:\n    timeout: 7h\n',
      'invalid-duration',
      'stages.test.timeout',
      3,
      14,
    ],
    [
      'CPU as bytes',
      'stages:\n  deploy:\n    resources: { cpu: 1Gi }\n',
      'invalid-quantity',
      'stages.deploy.resources.cpu',
      3,
      23,
    ],
    [
      'memory in millibytes',
      'stages:\n  deploy:\n    resources: { memory: 512m }\n',
      'invalid-quantity',
      'stages.deploy.resources.memory',
      3,
      26,
    ],
    [
      'a limit below the request',
      'stages:\n  deploy:\n    resources: { memory: 1Gi, memoryLimit: 512Mi }\n',
      'limit-below-request',
      'stages.deploy.resources.memoryLimit',
      3,
      44,
    ],
    ['a port out of range', 'stages:\n  deploy:\n    port: 0\n', 'out-of-range', 'stages.deploy.port', 3, 11],
    [
      'replicas as text',
      'stages:\n  deploy:\n    replicas: two\n',
      'invalid-type',
      'stages.deploy.replicas',
      3,
      15,
    ],
    [
      'a password in env',
      'stages:\n  deploy:\n    env:\n      DB_PASSWORD: hunter2\n',
      'inline-secret',
      'stages.deploy.env.DB_PASSWORD',
      4,
      20,
    ],
    [
      'a token value in env',
      'stages:\n  deploy:\n    env:\n      UPSTREAM: glpat-AbCdEfGhIjKlMnOpQrSt\n',
      'inline-secret',
      'stages.deploy.env.UPSTREAM',
      4,
      17,
    ],
    [
      'a credential URL in env',
      'environments:\n  prod:\n    env: { DATABASE_URL: "postgres://app:pw@db/app" }\n',
      'inline-secret',
      'environments.prod.env.DATABASE_URL',
      3,
      26,
    ],
    [
      'a private key in a build arg',
      'stages:\n  build:\n    args:\n      CERT: "-----BEGIN PRIVATE KEY-----"\n',
      'inline-secret',
      'stages.build.args.CERT',
      4,
      13,
    ],
    [
      'a credential in a script',
      'stages:\n  test:\n    script: ["git clone https://bot:s3cret@git.example.com/x.git"]\n',
      'inline-secret',
      'stages.test.script[0]',
      3,
      14,
    ],
    [
      'a bad variable name',
      'stages:\n  deploy:\n    env: { "LOG.LEVEL": x }\n',
      'invalid-env-name',
      'stages.deploy.env["LOG.LEVEL"]',
      3,
      12,
    ],
    [
      'a reserved variable name',
      'stages:\n  deploy:\n    env: { FERRY_ENV: x }\n',
      'reserved-env-name',
      'stages.deploy.env.FERRY_ENV',
      3,
      12,
    ],
    [
      'an envFrom with both kinds',
      'stages:\n  deploy:\n    envFrom: [{ secretRef: a, configMapRef: b }]\n',
      'invalid-env-source',
      'stages.deploy.envFrom[0]',
      3,
      15,
    ],
    [
      'an envFrom written as a map',
      'stages:\n  deploy:\n    envFrom: { secretRef: a }\n',
      'invalid-type',
      'stages.deploy.envFrom',
      3,
      14,
    ],
    [
      'an envFrom name that resolves badly',
      'stages:\n  deploy:\n    envFrom: [{ secretRef: "{project}" }]\n',
      'invalid-name',
      'stages.deploy.envFrom[0].secretRef',
      3,
      28,
    ],
    [
      'storage only in an environment',
      'environments:\n  prod: { storage: { size: 5Gi } }\n',
      'storage-not-declared',
      'environments.prod.storage',
      2,
      20,
    ],
    [
      'storage without a mount path',
      'stages:\n  deploy:\n    replicas: 1\n    storage: { size: 5Gi }\n',
      'required',
      'stages.deploy.storage.mountPath',
      4,
      14,
    ],
    [
      'a relative mount path',
      'stages:\n  deploy:\n    storage: { size: 5Gi, mountPath: data }\n',
      'invalid-path',
      'stages.deploy.storage.mountPath',
      3,
      38,
    ],
    [
      'a Dockerfile outside the repository',
      'stages:\n  build:\n    dockerfile: ../Dockerfile\n',
      'invalid-path',
      'stages.build.dockerfile',
      3,
      17,
    ],
    [
      'an ingress host with capitals',
      'stages:\n  deploy:\n    ingress: { host: API.example.com }\n',
      'invalid-host',
      'stages.deploy.ingress.host',
      3,
      22,
    ],
    [
      'an ingress without a host',
      'stages:\n  deploy:\n    ingress: { path: /api }\n',
      'required',
      'stages.deploy.ingress',
      3,
      14,
    ],
    [
      'canary steps decreasing',
      'environments:\n  prod: { canary: [50, 10, 100] }\n',
      'invalid-canary',
      'environments.prod.canary',
      2,
      19,
    ],
    [
      'canary not ending at 100',
      'environments:\n  prod: { canary: { steps: [10, 50] } }\n',
      'invalid-canary',
      'environments.prod.canary.steps',
      2,
      28,
    ],
    [
      'canary over 100',
      'environments:\n  prod: { canary: [10, 150] }\n',
      'out-of-range',
      'environments.prod.canary[1]',
      2,
      24,
    ],
    [
      'a probe that is both',
      'stages:\n  deploy:\n    probes:\n      readiness: { http: /x, tcp: true }\n',
      'invalid-probe',
      'stages.deploy.probes.readiness',
      4,
      18,
    ],
    [
      'a probe path without "/"',
      'stages:\n  deploy:\n    probes:\n      readiness: { http: healthz }\n',
      'invalid-probe',
      'stages.deploy.probes.readiness.http',
      4,
      26,
    ],
    [
      'an unknown priority',
      'environments:\n  prod: { priority: urgent }\n',
      'invalid-value',
      'environments.prod.priority',
      2,
      21,
    ],
    [
      'approval as text',
      'environments:\n  prod: { approval: "yes" }\n',
      'invalid-type',
      'environments.prod.approval',
      2,
      21,
    ],
    ['a wrong version', 'version: 2\n', 'invalid-value', 'version', 1, 10],
    ['a list at the top', '- a\n- b\n', 'invalid-type', '(top level)', 1, 1],
    ['two documents', 'service: a\n---\nservice: b\n', 'multiple-documents', '(document)', 2, 1],
    ['a duplicate key', 'service: a\nservice: b\n', 'duplicate-key', '(document)', 2, 1],
  ])('refuses %s', (_name, text, code, path, line, column) => {
    const found = problems(override(text));
    const match = found.find((p) => p.code === code && p.path === path);
    expect(match, JSON.stringify(found, null, 2)).toBeDefined();
    if (line > 0) expect(match).toMatchObject({ file: '.ferry.yml', line, column });
    expect(match?.message.length).toBeGreaterThan(0);
  });

  it('says "did you mean" with the closest allowed key', () => {
    const [problem] = problems(override('stages:\n  deploy:\n    replcias: 3\n'));
    expect(problem?.hint).toMatch(/^did you mean "replicas"\? allowed: port, replicas, /);
  });

  it('suggests the closest placeholder', () => {
    const [problem] = problems(override('environments:\n  prod: { namespace: "{gruop}-prod" }\n'));
    expect(problem?.hint).toContain('did you mean {group}?');
  });

  it('reports a duplicate branch on every environment using it, the project file included', () => {
    const found = problems(override('environments:\n  staging: { branch: master }\n'));
    const dups = found.filter((p) => p.code === 'duplicate-branch');
    expect(dups.map((p) => [p.file, p.path])).toEqual([
      ['.ferry.yml', 'environments.staging.branch'],
      [TEMPLATE_FILE, 'environments.prod.branch'],
    ]);
    expect(dups[0]?.message).toContain('staging, prod');
  });

  it('points at the template for values the template holds', () => {
    const custom = {
      text: STANDALONE.replace('"{group}-test"', '"{group}-{service}-test"'),
      file: 'custom.yml',
    };
    const result = loadSpec(custom, {
      text: `service: s${'a'.repeat(38)}\ngroup: ${'g'.repeat(30)}\n`,
      file: '.ferry.yml',
    });
    expect(problems(result)).toEqual([
      expect.objectContaining({ code: 'invalid-namespace', file: 'custom.yml', line: 11, column: 36 }),
    ]);
  });

  it('explains the longest names assumed when service and group are not set', () => {
    const [problem] = problems(override('environments:\n  prod: { namespace: "{group}-{service}" }\n'));
    expect(problem?.message).toContain('{group} at its longest (42 characters)');
    expect(problem?.hint).toContain('set service: and group:');
  });

  it('passes the same namespace once the real names are set and fit', () => {
    const result = override(
      'service: api\ngroup: payments\nenvironments:\n  prod: { namespace: "{group}-{service}" }\n',
    );
    expect(problems(result)).toEqual([]);
  });

  it('warns about an unpinned image and shared storage without failing', () => {
    const result = override(
      'stages:\n  test:\n    image: node\n  deploy:\n    storage: { size: 1Gi, storageClass: nas, mountPath: /data }\n',
    );
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.code).sort()).toEqual(['shared-storage', 'unpinned-image']);
  });

  it('warns when a service asks for the baseline Pod Security level (it may run as root)', () => {
    const result = override('stages:\n  deploy:\n    securityContext: baseline\n    runAsUser: 1000\n');
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'relaxed-pod-security',
        severity: 'warning',
        path: 'stages.deploy.securityContext',
        line: 3,
      }),
    ]);
    expect(problems(override('stages:\n  deploy:\n    securityContext: privileged\n'))).toEqual([
      expect.objectContaining({ path: 'stages.deploy.securityContext' }),
    ]);
    expect(problems(override('stages:\n  deploy:\n    runAsUser: 0\n'))).toEqual([
      expect.objectContaining({ path: 'stages.deploy.runAsUser' }),
    ]);
  });

  it('reports every problem of a file at once, in file order', () => {
    const found = problems(
      override('stages:\n  test:\n    timeout: 1y\n  deploy:\n    port: -1\n    replica: 2\n'),
    );
    expect(found.map((p) => p.line)).toEqual([3, 5, 6]);
  });

  it('parseOverride checks the shape only', () => {
    expect(parseOverride('environments:\n  prod: { replicas: 3 }\n', '.ferry.yml').ok).toBe(true);
    expect(parseOverride('environments:\n  prod: { replica: 3 }\n', '.ferry.yml').ok).toBe(false);
  });

  it('loadSpecOrThrow names the project file', () => {
    expect(() => loadSpecOrThrow(template, { text: 'service: X\n', file: '.ferry.yml' })).toThrow(
      /\.ferry\.yml/,
    );
    expect(loadSpecOrThrow(template).environments?.prod?.branch).toBe('master');
  });
});
