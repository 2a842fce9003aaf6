/**
 * The test stage's jobs through the real stage runner, the real local and docker executors and
 * the real Redis log store: jobs run side by side, failFast cancels the others, JUnit reports are
 * read from the job's workspace even when it fails (and kept out of the log), coverage is read
 * from the log. The jobs come from a real spec (the default template and a `.ferry.yml`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadSpec, resolveSpec, type TestJobRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../packages/server/src/executors/docker/index.js';
import type { Executor } from '../../packages/server/src/executors/executor.js';
import { LocalExecutor } from '../../packages/server/src/executors/local/index.js';
import { RedisLogStore } from '../../packages/server/src/logs/redis/redis-log-store.js';
import { ExecutorStageRunner } from '../../packages/server/src/stages/executor-stage-runner.js';
import { buildTestStageJobs } from '../../packages/server/src/stages/stage-jobs.js';
import { finishedPipeline } from '../history/records.js';
import { connectTestDocker, connectTestRedis, testImages } from '../support/services.js';

const template = {
  text: await readFile(new URL('../../pipelines/default.yml', import.meta.url), 'utf8'),
  file: 'pipelines/default.yml',
};

/** A JUnit report as jest-junit and surefire write it: 2 passed, 1 failed, 1 skipped. */
const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="4" failures="1">
  <testsuite name="cart" tests="4">
    <testcase classname="cart" name="adds an item" time="0.01"/>
    <testcase classname="cart" name="removes an item" time="0.01"/>
    <testcase classname="cart" name="totals &lt;with&gt; tax" time="0.02">
      <failure message="expected 10.7 to be 10.8" type="AssertionError">AssertionError: expected 10.7 to be 10.8
    at cart.test.js:12:5</failure>
    </testcase>
    <testcase classname="cart" name="applies a coupon"><skipped/></testcase>
  </testsuite>
</testsuites>`;

/** A shell line writing `text` into `file` (heredoc, quoted: nothing expanded). */
const writeFile = (file: string, text: string) =>
  `mkdir -p "$(dirname ${file})" && cat > ${file} <<'EOF'\n${text}\nEOF`;

interface Setup {
  kind: string;
  executor: () => Promise<{ executor: Executor; cleanup(): Promise<void> }>;
  image: string;
}

const setups: Setup[] = [
  {
    kind: 'local',
    executor: async () => {
      const workDir = await mkdtemp(join(tmpdir(), 'ferry-jobs-'));
      return {
        executor: new LocalExecutor({ workDir, scriptVia: 'sh' }),
        cleanup: () => rm(workDir, { recursive: true, force: true }),
      };
    },
    image: testImages.busybox,
  },
  {
    kind: 'docker',
    executor: async () => ({
      executor: new DockerExecutor({
        docker: await connectTestDocker(),
        runnerImage: testImages.busybox,
        pull: 'never',
      }),
      cleanup: async () => {},
    }),
    image: testImages.busybox,
  },
];

describe.each(setups)('test jobs on the $kind executor', ({ kind, executor: makeExecutor, image }) => {
  let redis: Redis;
  let logs: RedisLogStore;
  let executor: Executor;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    redis = await connectTestRedis();
    logs = new RedisLogStore(redis, { prefix: `jobs${randomUUID().slice(0, 6)}`, capBytes: 1 << 20 });
    ({ executor, cleanup } = await makeExecutor());
  });
  afterAll(async () => {
    redis?.disconnect();
    await cleanup?.();
  });

  /** Runs the test stage of `ferryYml` (merged over the default template); returns the outcome and job records. */
  async function runTests(ferryYml: string, allowedImages: string[] = []) {
    const loaded = loadSpec(template, { text: ferryYml, file: '.ferry.yml' });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const pipeline = finishedPipeline({ id: `${kind}${randomUUID().slice(0, 8)}` });
    const plan = resolveSpec(loaded.spec, { env: 'test', sha: pipeline.sha, project: pipeline.project.path });
    const jobs = buildTestStageJobs(pipeline, plan, 1, { runnerImage: image, allowedBaseImages: [] });
    const records = new Map<string, TestJobRecord>();
    let form: string | undefined;
    const runner = new ExecutorStageRunner({
      executor,
      logs,
      logger: createLogger({ level: 'silent' }),
      secrets: [],
      allowedImages,
      jobFor: async () => {
        throw new Error('the test stage asks testJobsFor');
      },
      testJobsFor: async () => jobs,
    });
    const outcome = await runner.run({
      pipeline,
      stage: 'test',
      attempt: 1,
      signal: new AbortController().signal,
      onStarted: async () => {},
      onJob: async (job, f) => {
        records.set(job.name, job);
        form = f;
      },
    });
    const logOf = async (key: string) =>
      (await logs.read(pipeline.id, key, undefined, 10_000)).lines.map((l) => l.x).join('\n');
    return { outcome, records, form, logOf };
  }

  const yml = (jobs: string, extra = '') =>
    `stages:\n  test:\n    image: ${image}\n    checkout: false\n${extra}    jobs:\n${jobs}`;

  it('runs the jobs side by side, each with its own log, and passes when all pass', async () => {
    // Each job waits for the other's mark: only jobs that run at the same time both pass.
    const dir = kind === 'local' ? await mkdtemp(join(tmpdir(), 'ferry-rdv-')) : '/tmp';
    const wait = (mark: string) =>
      `i=0; until [ -f ${dir}/${mark} ]; do i=$((i+1)); [ $i -lt 300 ] || exit 7; sleep 0.1; done`;
    const { outcome, records, form, logOf } = await runTests(
      kind === 'local'
        ? yml(
            `      left: { script: ["touch ${dir}/left", "${wait('right')}", "echo left done"] }\n` +
              `      right: { script: ["touch ${dir}/right", "${wait('left')}", "echo right done"] }\n`,
          )
        : yml(
            '      left: { script: ["sleep 2", "echo left done"] }\n      right: { script: ["sleep 2", "echo right done"] }\n',
          ),
    );
    expect(outcome).toEqual({ status: 'success' });
    expect(form).toBe('jobs');
    expect([...records.values()].map((r) => [r.name, r.status])).toEqual([
      ['left', 'success'],
      ['right', 'success'],
    ]);
    if (kind === 'docker') {
      // Containers have no shared folder here: the jobs' run times overlap instead.
      const l = records.get('left') as TestJobRecord;
      const r = records.get('right') as TestJobRecord;
      expect(Date.parse(l.startedAt ?? '')).toBeLessThan(Date.parse(r.finishedAt ?? ''));
      expect(Date.parse(r.startedAt ?? '')).toBeLessThan(Date.parse(l.finishedAt ?? ''));
    }
    expect(await logOf('test:left')).toContain('left done');
    expect(await logOf('test:left')).not.toContain('right done');
    expect(await logOf('test:right')).toContain('right done');
    expect(await logOf('test')).toContain('ferry: job right success');
    if (kind === 'local') await rm(dir, { recursive: true, force: true });
  });

  it('cancels the other jobs when one fails (failFast), and lets them finish without it', async () => {
    const jobs = '      bad: { script: ["exit 3"] }\n      slow: { script: ["sleep 1", "echo slow done"] }\n';
    const fast = await runTests(
      yml('      bad: { script: ["sleep 1", "exit 3"] }\n      slow: { script: ["sleep 120"] }\n'),
    );
    expect(fast.outcome).toEqual({ status: 'failed', reason: 'job bad failed: exit code 3' });
    expect(fast.records.get('bad')).toMatchObject({ status: 'failed', reason: 'exit code 3' });
    expect(fast.records.get('slow')).toMatchObject({
      status: 'canceled',
      reason: 'canceled: job bad failed (failFast)',
    });
    const all = await runTests(yml(jobs, '    failFast: false\n'));
    expect(all.outcome.status).toBe('failed');
    expect(all.records.get('slow')?.status).toBe('success');
    expect(await all.logOf('test:slow')).toContain('slow done');
  });

  it('reads the JUnit reports after a failing job, out of the log, and the coverage from it', async () => {
    const { outcome, records, logOf } = await runTests(
      yml(
        `      unit:\n` +
          `        reports: { junit: "test-results/*.xml" }\n` +
          `        coverage: '/Lines\\s*:\\s*(\\d+\\.?\\d*)%/'\n` +
          `        script:\n` +
          `          - ${JSON.stringify(writeFile('test-results/junit.xml', JUNIT))}\n` +
          `          - ${JSON.stringify(writeFile('test-results/broken.xml', '<testsuite><testcase name="x">'))}\n` +
          `          - ${JSON.stringify('echo "Lines        : 83.5% ( 167/200 )"')}\n` +
          `          - exit 1\n`,
      ),
    );
    expect(outcome).toEqual({
      status: 'failed',
      reason: 'job unit failed: exit code 1; 1 of 4 tests failed, 1 skipped',
    });
    const unit = records.get('unit');
    expect(unit?.coverage).toBe(83.5);
    expect(unit?.report).toMatchObject({ passed: 2, failed: 1, errors: 0, skipped: 1 });
    expect(unit?.report?.failures).toEqual([
      { name: 'cart › totals <with> tax', message: 'expected 10.7 to be 10.8' },
    ]);
    expect(unit?.report?.notes).toEqual([
      expect.stringMatching(/^test-results\/broken\.xml: not well-formed XML/),
    ]);
    const log = await logOf('test:unit');
    expect(log).toContain('83.5%');
    expect(log).not.toContain('::ferry-report::');
    expect(log).not.toContain(Buffer.from(JUNIT).toString('base64').slice(0, 40));
  });

  it('keeps the simple form one job named test in the stage log, with its report', async () => {
    const { outcome, records, form, logOf } = await runTests(
      `stages:\n  test:\n    image: ${image}\n    checkout: false\n    reports: { junit: "out/*.xml" }\n` +
        `    script:\n      - ${JSON.stringify(writeFile('out/a.xml', JUNIT.replace(/<failure[\s\S]*?<\/failure>/, '')))}\n`,
    );
    expect(outcome).toEqual({ status: 'success' });
    expect(form).toBe('single');
    expect(records.get('test')).toMatchObject({
      status: 'success',
      report: { passed: 3, failed: 0, skipped: 1 },
    });
    expect(await logOf('test')).toContain('ferry: test success');
  });

  it('refuses a huge report with a note and still ends the job', async () => {
    const { records } = await runTests(
      yml(
        '      big:\n        reports: { junit: "r/*.xml" }\n        script:\n' +
          '          - mkdir -p r && head -c 3000000 /dev/zero | tr "\\\\0" a > r/big.xml\n',
      ),
    );
    expect(records.get('big')).toMatchObject({
      status: 'success',
      report: { passed: 0, failed: 0, notes: ['r/big.xml: larger than 2 MiB, not read'] },
    });
  });

  it('fails a job whose image is not in executor.allowedImages before any runner exists', async () => {
    const { outcome, records, logOf } = await runTests(
      yml(
        '      ok: { script: ["echo ok ran"] }\n' +
          '      other: { image: "elsewhere.example/tools/node:20", script: ["echo other ran"] }\n',
        '    failFast: false\n',
      ),
      [image],
    );
    expect(outcome.status).toBe('failed');
    expect(records.get('ok')).toMatchObject({ status: 'success' });
    const other = records.get('other');
    expect(other?.status).toBe('failed');
    expect(other?.reason).toBe(
      `FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED: The job other image elsewhere.example/tools/node:20 is not allowed here (executor.allowedImages: ${image}); run it from an allowed image, or ask the operators to allow this one.`,
    );
    // Never prepared: no runner, nothing pulled or run.
    expect(other?.runnerId).toBeUndefined();
    const log = await logOf('test:other');
    expect(log).toContain('FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED');
    expect(log).not.toContain('other ran');
  });
});
