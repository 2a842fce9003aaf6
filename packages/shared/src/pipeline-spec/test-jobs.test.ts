import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CoverageScanner, coveragePatternProblem } from './coverage-pattern.js';
import { loadSpec } from './parse.js';
import type { SpecProblem } from './problems.js';
import { resolveSpec } from './resolve.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const template = {
  text: readFileSync(new URL('../../../../pipelines/default.yml', import.meta.url), 'utf8'),
  file: 'pipelines/default.yml',
};
const ctx = { sha: SHA, project: 'payments/api', env: 'test' };

function planOf(text: string) {
  const result = loadSpec(template, { text, file: '.ferry.yml' });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return resolveSpec(result.spec, ctx, result.locators);
}

function problemsOf(text: string): SpecProblem[] {
  const result = loadSpec(template, { text, file: '.ferry.yml' });
  return result.ok ? result.warnings : [...result.problems, ...result.warnings];
}

function codesAt(text: string): string[] {
  return problemsOf(text).map((p) => `${p.code} ${p.path}`);
}

describe('test jobs in the plan', () => {
  it('turns the simple form into one job named test, failFast on', () => {
    const test = planOf('').test;
    expect(test.form).toBe('single');
    expect(test.failFast).toBe(true);
    expect(test.jobs).toHaveLength(1);
    expect(test.jobs[0]).toMatchObject({
      name: 'test',
      image: 'node:20-bookworm',
      script: ['npm ci', 'npm test'],
      timeoutMs: 15 * 60_000,
      resources: { cpu: '1', memory: '2Gi' },
      services: [],
      cache: null,
      reports: { junit: null },
      coverage: null,
    });
    // The stage-level fields stay the one job's, for readers of the earlier plan shape.
    expect(test.image).toBe('node:20-bookworm');
  });

  it('starts each job from the stage keys: env merged key by key, the rest replaced', () => {
    const test = planOf(`
stages:
  test:
    env: { LOG: debug, SHARED: "1" }
    failFast: false
    jobs:
      lint: { script: [npm run lint], timeout: 5m }
      unit:
        image: node:22.1-bookworm
        env: { LOG: info }
        resources: { memory: 4Gi }
        services:
          - name: postgres
            image: postgres:16.2
            env: { POSTGRES_PASSWORD: throwaway }
            command: [postgres, -c, fsync=off]
            ready: { tcp: 5432 }
          - { name: redis, image: redis:7.2, ready: { tcp: 6379, timeout: 10s } }
        cache: { key: { files: [package-lock.json] }, paths: [node_modules, .npm] }
        reports: { junit: "test-results/*.xml" }
        coverage: '/Lines\\s*:\\s*(\\d+\\.?\\d*)%/'
`).test;
    expect(test.form).toBe('jobs');
    expect(test.failFast).toBe(false);
    expect(test.jobs.map((j) => j.name)).toEqual(['lint', 'unit']);
    const [lint, unit] = test.jobs;
    expect(lint).toMatchObject({
      image: 'node:20-bookworm',
      script: ['npm run lint'],
      timeoutMs: 5 * 60_000,
      env: { LOG: 'debug', SHARED: '1' },
    });
    expect(unit).toMatchObject({
      image: 'node:22.1-bookworm',
      script: ['npm ci', 'npm test'],
      env: { LOG: 'info', SHARED: '1' },
      resources: { cpu: '1', memory: '4Gi', memoryLimit: '4Gi' },
      cache: { key: { name: 'unit', files: ['package-lock.json'] }, paths: ['node_modules', '.npm'] },
      reports: { junit: 'test-results/*.xml' },
      coverage: 'Lines\\s*:\\s*(\\d+\\.?\\d*)%',
    });
    expect(unit?.services).toEqual([
      {
        name: 'postgres',
        image: 'postgres:16.2',
        env: { POSTGRES_PASSWORD: 'throwaway' },
        command: ['postgres', '-c', 'fsync=off'],
        ready: { tcpPort: 5432, timeoutMs: 60_000 },
      },
      {
        name: 'redis',
        image: 'redis:7.2',
        env: {},
        command: null,
        ready: { tcpPort: 6379, timeoutMs: 10_000 },
      },
    ]);
  });

  it('keys a cache by its text key when one is given', () => {
    const [job] = planOf('stages: { test: { cache: { key: deps-v2, paths: [.npm] } } }').test.jobs;
    expect(job?.cache).toEqual({ key: { name: 'deps-v2', files: [] }, paths: ['.npm'] });
  });

  it('lets a project drop a template job with null', () => {
    const test = planOf('stages: { test: { jobs: { a: { script: [x] }, b: null } } }').test;
    expect(test.jobs.map((j) => j.name)).toEqual(['a']);
  });
});

describe('test job lint', () => {
  it('accepts the shape the issue gives', () => {
    expect(
      problemsOf(`
stages:
  test:
    failFast: true
    jobs:
      lint: { image: node:20.11-bookworm, script: [npm run lint] }
      unit:
        image: node:20.11-bookworm
        script: [npm test]
        services:
          - { name: postgres, image: postgres:16.2, env: { POSTGRES_PASSWORD: pw }, ready: { tcp: 5432, timeout: 60s } }
        cache: { key: { files: [package-lock.json] }, paths: [node_modules, .npm] }
        reports: { junit: "test-results/*.xml" }
        coverage: '/Lines\\s*:\\s*(\\d+\\.?\\d*)%/'
`).filter((p) => p.severity === 'error'),
    ).toEqual([]);
  });

  it.each([
    ['Unit', 'invalid-name'],
    ['unit_tests', 'invalid-name'],
    ['a-very-long-job-name-over-twenty', 'name-too-long'],
  ])('refuses the job name %s', (name, code) => {
    expect(codesAt(`stages: { test: { jobs: { ${name}: { script: [x] } } } }`)).toContain(
      `${code} stages.test.jobs.${name}`,
    );
  });

  it('refuses a job named twice (a duplicate YAML key)', () => {
    expect(
      codesAt('stages:\n  test:\n    jobs:\n      a: { script: [x] }\n      a: { script: [y] }\n'),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^duplicate-key /)]));
  });

  it('refuses two services of one job with one name or one port, also through the stage default', () => {
    const codes = codesAt(`
stages:
  test:
    services: [{ name: db, image: postgres:16.2, ready: { tcp: 5432 } }]
    jobs:
      a:
        services:
          - { name: db, image: postgres:16.2, ready: { tcp: 5432 } }
          - { name: db, image: redis:7.2, ready: { tcp: 5432 } }
      b: { script: [x] }
`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'duplicate-name stages.test.jobs.a.services[1].name',
        'port-clash stages.test.jobs.a.services[1].ready.tcp',
      ]),
    );
    const message = problemsOf(
      'stages: { test: { services: [{ name: pg, image: postgres:16.2, ready: { tcp: 1 } }, { name: rd, image: redis:7.2, ready: { tcp: 1 } }] } }',
    ).find((p) => p.code === 'port-clash')?.message;
    expect(message).toBe("services pg and rd both use port 1; they share the job's network");
  });

  it.each([
    ['cache: { paths: [../outside] }', 'invalid-path stages.test.cache.paths[0]'],
    ['cache: { paths: [/root/.npm] }', 'invalid-path stages.test.cache.paths[0]'],
    ['cache: { key: { files: [a/../../b] }, paths: [x] }', 'invalid-path stages.test.cache.key.files[0]'],
    ['reports: { junit: /tmp/*.xml }', 'invalid-path stages.test.reports.junit'],
    ['reports: { junit: "../r/*.xml" }', 'invalid-path stages.test.reports.junit'],
    ['reports: { junit: "r/$(reboot).xml" }', 'invalid-path stages.test.reports.junit'],
    ['reports: { junit: "r/a b.xml" }', 'invalid-path stages.test.reports.junit'],
  ])('refuses a path leaving the workspace or unsafe for the shell: %s', (yaml, expected) => {
    expect(codesAt(`stages: { test: { ${yaml} } }`)).toContain(expected);
  });

  it.each([
    ["'/(unclosed/'", 'missing closing )'],
    ["'(?=lookahead)'", 'invalid or unsupported Perl syntax'],
    ["'//'", 'the pattern is empty'],
  ])('refuses the coverage pattern %s with its reason', (pattern, reason) => {
    const problem = problemsOf(`stages: { test: { coverage: ${pattern} } }`).find(
      (p) => p.path === 'stages.test.coverage',
    );
    expect(problem?.code).toBe('invalid-value');
    expect(problem?.message).toContain(reason);
  });

  it('checks service images as the test image: invalid refused, unpinned warned', () => {
    const codes = codesAt(
      'stages: { test: { services: [{ name: a, image: "Postgres:16" }, { name: b, image: postgres }] } }',
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        'invalid-image stages.test.services[0].image',
        'unpinned-image stages.test.services[1].image',
      ]),
    );
  });

  it('finds secrets in job scripts and variables, but lets a service have its throwaway password', () => {
    const codes = codesAt(`
stages:
  test:
    jobs:
      a:
        script: ["curl -H 'PRIVATE-TOKEN: glpat-abcdefghijklmnopqrst' x"]
        env: { DB_PASSWORD: hunter2-is-long-enough }
        services: [{ name: pg, image: postgres:16.2, env: { POSTGRES_PASSWORD: pw } }]
`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'inline-secret stages.test.jobs.a.script[0]',
        'inline-secret stages.test.jobs.a.env.DB_PASSWORD',
      ]),
    );
    expect(codes.filter((c) => c.includes('services'))).toEqual([]);
  });

  it('names reserved and invalid variable names in jobs and services', () => {
    expect(
      codesAt(
        'stages: { test: { jobs: { a: { env: { FERRY_X: "1" }, services: [{ name: s, image: redis:7.2, env: { "1A": x } }] } } } }',
      ),
    ).toEqual(
      expect.arrayContaining([
        'reserved-env-name stages.test.jobs.a.env.FERRY_X',
        'invalid-env-name stages.test.jobs.a.services[0].env["1A"]',
      ]),
    );
  });

  it('names a job without an image or a script', () => {
    const result = loadSpec(template, {
      text: 'stages: { test: { image: null, jobs: { a: { script: [x] } } } }',
      file: '.ferry.yml',
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((p) => `${p.code} ${p.path}: ${p.message}`)).toContain(
        'required stages.test.image: test job a: image is required',
      );
  });

  it('refuses unknown keys in a job and in a service', () => {
    expect(
      codesAt(
        'stages: { test: { jobs: { a: { scripts: [x] } }, services: [{ name: a, image: redis:7.2, port: 1 }] } }',
      ),
    ).toEqual(
      expect.arrayContaining([
        'unknown-key stages.test.jobs.a.scripts',
        'unknown-key stages.test.services[0].port',
      ]),
    );
  });
});

describe('coverage pattern', () => {
  it('takes the first group of the last matching line', () => {
    const scanner = new CoverageScanner('/Lines\\s*:\\s*(\\d+\\.?\\d*)%/');
    for (const line of ['Lines : 12.5%', 'noise', 'Lines   : 87.25% ( 349/400 )', 'tail']) scanner.line(line);
    expect(scanner.value).toBe(87.25);
  });

  it('takes the number in the match without a group, and ignores values over 100', () => {
    const scanner = new CoverageScanner('All files[^|]*\\|\\s*[\\d.]+');
    scanner.line('All files |   91.3 |');
    expect(scanner.value).toBe(91.3);
    scanner.line('All files | 250');
    expect(scanner.value).toBe(91.3);
  });

  it('stays linear on a pattern that backtracks exponentially elsewhere', () => {
    const scanner = new CoverageScanner('^(a+)+$');
    scanner.line(`${'a'.repeat(4000)}!`);
    expect(scanner.value).toBeUndefined();
    expect(coveragePatternProblem('(a+)+$')).toBeUndefined();
  });
});
