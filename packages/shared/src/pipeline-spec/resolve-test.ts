import { coveragePatternSource } from './coverage-pattern.js';
import { DEFAULTS } from './defaults.js';
import { mergeValues } from './merge.js';
import { DEFAULT_TEST_JOB } from './names.js';
import type { ResolvedTestCache, ResolvedTestJob, ResolvedTestService, ResolvedTestStage } from './plan.js';
import {
  given,
  type Maybe,
  origin,
  type Path,
  type PlanBuilder,
  resolveEnvFrom,
  resolveEnvMaps,
  resolveResources,
} from './plan-builder.js';
import type { TestCacheSpec, TestJobSpec, TestServiceSpec, TestStageSpec } from './schema.js';

const STAGE_PATH: Path = ['stages', 'test'];

/**
 * The test stage's jobs. The simple form is one job named `test`; with `jobs:`, each job starts
 * from the stage's keys (env merged key by key, everything else replaced), so a project's file
 * can add jobs to the template's image and timeout.
 */
export function resolveTestStage(b: PlanBuilder, test: TestStageSpec): ResolvedTestStage {
  const { jobs, failFast, enabled: _enabled, ...defaults } = test;
  const form = given(jobs) ? 'jobs' : 'single';
  const entries: [string, TestJobSpec, Path][] =
    form === 'jobs'
      ? Object.entries(jobs ?? {}).flatMap(([name, job]) =>
          given(job)
            ? [[name, job, [...STAGE_PATH, 'jobs', name] as Path] as [string, TestJobSpec, Path]]
            : [],
        )
      : [[DEFAULT_TEST_JOB, {}, STAGE_PATH]];
  if (form === 'jobs' && entries.length === 0) {
    b.add({
      path: [...STAGE_PATH, 'jobs'],
      code: 'required',
      message: 'the test stage lists no jobs',
      hint: 'name at least one job, e.g. jobs: { unit: { script: [npm test] } }, or remove jobs',
    });
  }
  const resolved = entries.map(([name, job, path]) => resolveJob(b, name, defaults, job, path));
  // With jobs, the stage-level fields are only the jobs' defaults: resolved again without findings.
  const stageRun =
    form === 'single' && resolved[0] !== undefined
      ? resolved[0]
      : resolveJob(b.silent(), DEFAULT_TEST_JOB, defaults, {}, STAGE_PATH);
  return {
    checkout: stageRun.checkout,
    image: stageRun.image,
    script: stageRun.script,
    timeoutMs: stageRun.timeoutMs,
    env: stageRun.env,
    envFrom: stageRun.envFrom,
    resources: stageRun.resources,
    form,
    jobs: resolved,
    failFast: failFast ?? DEFAULTS.test.failFast,
  };
}

function resolveJob(
  b: PlanBuilder,
  name: string,
  stage: TestJobSpec,
  job: TestJobSpec,
  jobPath: Path,
): ResolvedTestJob {
  const merged = mergeValues(stage, job) as TestJobSpec;
  const at = (key: string) => origin(key, job, jobPath, STAGE_PATH);
  const what = jobPath === STAGE_PATH ? 'the test' : `test job ${name}:`;
  if (!given(merged.image)) b.required(at('image'), `${what} image`);
  if (!given(merged.script)) b.required(at('script'), `${what} script`);
  return {
    name,
    checkout: merged.checkout !== false,
    image: merged.image ?? '',
    script: [...(merged.script ?? [])],
    timeoutMs: b.ms(merged.timeout ?? DEFAULTS.test.timeout, at('timeout')),
    env: resolveEnvMaps(b, [
      [stage.env, [...STAGE_PATH, 'env']],
      [job.env, [...jobPath, 'env']],
    ]),
    envFrom: resolveEnvFrom(b, merged.envFrom, at('envFrom')),
    resources: resolveResources(
      b,
      stage.resources,
      job.resources,
      [...STAGE_PATH, 'resources'],
      [...jobPath, 'resources'],
      DEFAULTS.test,
    ),
    services: (merged.services ?? []).map((service, i) => resolveService(b, service, [...at('services'), i])),
    cache: resolveCache(merged.cache, name),
    reports: { junit: merged.reports?.junit ?? null },
    coverage: given(merged.coverage) ? coveragePatternSource(merged.coverage) : null,
  };
}

function resolveService(b: PlanBuilder, service: TestServiceSpec, path: Path): ResolvedTestService {
  const ready = service.ready;
  return {
    name: service.name,
    image: service.image,
    env: resolveEnvMaps(b, [[service.env, [...path, 'env']]]),
    command: given(service.command) ? [...service.command] : null,
    ready: given(ready)
      ? {
          tcpPort: ready.tcp,
          timeoutMs: b.ms(ready.timeout ?? DEFAULTS.test.serviceReadyTimeout, [...path, 'ready', 'timeout']),
        }
      : null,
  };
}

function resolveCache(cache: Maybe<TestCacheSpec>, job: string): ResolvedTestCache | null {
  if (!given(cache)) return null;
  const key = cache.key;
  return {
    key:
      typeof key === 'string'
        ? { name: key, files: [] }
        : { name: job, files: given(key) ? [...key.files] : [] },
    paths: [...cache.paths],
  };
}
