import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  createLogger,
  defaultTemplatePath,
  type FerryConfig,
  formatProblem,
  isFerryError,
  loadConfig,
  loadSpec,
  resolveSpec,
  type TestJobRecord,
} from '@ferry/shared';
import { Command, Option } from 'commander';
import { newPipelineId } from '../../pipeline/new-record.js';
import { executorFor } from '../../runtime/stage-runner-for.js';
import { ExecutorStageRunner } from '../../stages/executor-stage-runner.js';
import { engineAnswers } from '../docker-engine.js';
import { projectFromRemote } from '../render.js';
import { EXEC_OWNER, execJobs } from './exec-jobs.js';
import { startSnapshotServer } from './snapshot-server.js';
import { TerminalLogs, type TerminalOut } from './terminal-logs.js';
import { servedRepository, snapshotWorkingTree } from './working-tree.js';

export type ExecExecutor = 'auto' | 'docker' | 'local';

export interface ExecOptions {
  env: string;
  job?: string[];
  executor: ExecExecutor;
  file?: string;
  template?: string;
  config?: string;
  project?: string;
  runnerImage?: string;
  /** The working copy (default: the current directory). */
  cwd?: string;
}

/** Exit codes of `ferry exec` (docs/cli.md). */
export const ExecExit = { passed: 0, failed: 1, usage: 2, interrupted: 130 } as const;

interface Io {
  out: TerminalOut;
  err: { write(text: string): unknown };
  signal: AbortSignal;
}

/** The configuration the executor takes its settings from, with exec's own owner and executor. */
async function execConfig(opts: ExecOptions, scratch: string): Promise<FerryConfig | string> {
  const { config } = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  let kind: 'docker' | 'local' = opts.executor === 'local' ? 'local' : 'docker';
  if (opts.executor === 'auto' && !(await engineAnswers(config.executor.docker.socketPath))) kind = 'local';
  if (opts.executor === 'docker' && !(await engineAnswers(config.executor.docker.socketPath)))
    return `no Docker engine answers at ${config.executor.docker.socketPath} (--executor local runs without one)`;
  return {
    ...config,
    // The owner label of the runners (executorFor takes it from the key prefix): exec's own.
    redis: { ...config.redis, keyPrefix: EXEC_OWNER },
    executor: {
      ...config.executor,
      kind,
      local: { ...config.executor.local, workDir: join(scratch, 'work') },
      docker: {
        ...config.executor.docker,
        ...(opts.runnerImage === undefined ? {} : { runnerImage: opts.runnerImage }),
      },
    },
  };
}

/**
 * `ferry exec`: the test stage of the working copy's pipeline file, run here as CI runs it —
 * same images, services and cache, through the docker executor when an engine answers (the local
 * executor otherwise) — without a server or Redis. The runners clone the working tree (committed
 * or not; untracked files git ignores are left out) from a git server on loopback, as they clone
 * from GitLab. The logs stream to `out`; the exit code is the stage's.
 */
export async function runExec(opts: ExecOptions, io: Io): Promise<number> {
  const fail = (message: string, code: number = ExecExit.usage) => {
    io.err.write(`ferry exec: ${message}\n`);
    return code;
  };
  const cwd = resolve(opts.cwd ?? process.cwd());
  const scratch = await mkdtemp(join(tmpdir(), 'ferry-exec-'));
  // Traversable, not listable: as root, the local executor runs scripts as its stage user below.
  await chmod(scratch, 0o711);
  const stops: Array<() => Promise<unknown>> = [() => rm(scratch, { recursive: true, force: true })];
  try {
    let snapshot: Awaited<ReturnType<typeof snapshotWorkingTree>>;
    try {
      snapshot = await snapshotWorkingTree(cwd, scratch, io.signal);
    } catch (err) {
      return fail(`${cwd} is not in a git working copy (${(err as Error).message.split('\n')[0]})`);
    }
    const templateFile = opts.template ?? defaultTemplatePath();
    const overrideFile = resolve(snapshot.top, opts.file ?? '.ferry.yml');
    const overrideText = await readFile(overrideFile, 'utf8').catch(() => undefined);
    if (overrideText === undefined && opts.file !== undefined) return fail(`${opts.file} does not exist`);
    const loaded = loadSpec(
      { text: await readFile(templateFile, 'utf8'), file: templateFile },
      overrideText === undefined ? undefined : { text: overrideText, file: opts.file ?? '.ferry.yml' },
    );
    if (!loaded.ok) {
      for (const problem of loaded.problems) io.err.write(`${formatProblem(problem)}\n`);
      return ExecExit.usage;
    }
    const project =
      opts.project ??
      (snapshot.origin === undefined ? undefined : projectFromRemote(snapshot.origin)) ??
      `local/${basename(snapshot.top)}`;
    const plan = resolveSpec(loaded.spec, { env: opts.env, sha: snapshot.sha, project });
    if (!plan.stages.includes('test')) return fail(`the test stage is off in environment ${opts.env}`);

    const config = await execConfig(opts, scratch);
    if (typeof config === 'string') return fail(config);
    const executor = await executorFor(config);
    if (executor === undefined) return fail('no executor');

    const name = await servedRepository(snapshot, scratch, io.signal);
    const server = await startSnapshotServer(scratch, name);
    stops.push(() => server.close());
    const built = execJobs(
      {
        pipelineId: newPipelineId(),
        project,
        sha: snapshot.sha,
        cloneUrl: server.cloneUrl,
        cloneToken: server.token,
        runnerImage: config.executor.docker.runnerImage,
        now: new Date(),
      },
      plan,
      opts.job ?? [],
    );
    if ('unknown' in built)
      return fail(
        `no test job ${built.unknown.join(', ')} in environment ${opts.env}; jobs: ${built.known.join(', ')}`,
      );
    const names = built.jobs.jobs.map((j) => j.testJob?.name ?? 'test');
    io.out.write(
      `ferry exec: ${project} environment ${plan.environment}, ${snapshot.changed ? `the working tree (on ${snapshot.sha.slice(0, 12)}, uncommitted changes included)` : `commit ${snapshot.sha.slice(0, 12)}`}, ${config.executor.kind} executor, job${names.length === 1 ? '' : 's'} ${names.join(', ')}\n`,
    );
    const runner = new ExecutorStageRunner({
      executor,
      logs: new TerminalLogs(io.out, names),
      logger: createLogger({ level: 'error', name: 'ferry-exec', destination: process.stderr }),
      secrets: [server.token],
      jobFor: async () => {
        throw new TypeError('ferry exec runs the test stage only');
      },
      testJobsFor: async () => built.jobs,
    });
    const ended = new Map<string, TestJobRecord>();
    const outcome = await runner.run({
      pipeline: built.pipeline,
      stage: 'test',
      attempt: 1,
      signal: io.signal,
      onStarted: async () => {},
      onJob: async (job) => {
        if (job.status !== 'running') ended.set(job.name, job);
      },
    });
    for (const job of ended.values()) {
      const report =
        job.report === undefined ? '' : `, tests ${job.report.passed} passed / ${job.report.failed} failed`;
      const coverage = job.coverage === undefined ? '' : `, coverage ${job.coverage}%`;
      io.out.write(`ferry exec: job ${job.name}: ${job.status}${report}${coverage}\n`);
    }
    io.out.write(
      `ferry exec: test stage ${outcome.status}${outcome.reason === undefined ? '' : `: ${outcome.reason}`}\n`,
    );
    if (outcome.status === 'success') return ExecExit.passed;
    return io.signal.aborted ? ExecExit.interrupted : ExecExit.failed;
  } catch (err) {
    if (io.signal.aborted) return ExecExit.interrupted;
    return fail(isFerryError(err) ? `${err.code}: ${err.message}` : (err as Error).message);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** The `exec` subcommand. Ctrl-C (or SIGTERM) stops the jobs, removes their runners and exits 130. */
export function execCommand(): Command {
  return new Command('exec')
    .description(
      "run the working copy's test stage here as CI runs it (docker executor when an engine answers)",
    )
    .option('-e, --env <env>', 'the environment whose test stage runs', 'test')
    .option('-j, --job <name>', 'only this test job (repeatable)', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .addOption(
      new Option(
        '--executor <kind>',
        'where the jobs run: docker, local, or auto (docker when an engine answers)',
      )
        .choices(['auto', 'docker', 'local'])
        .default('auto'),
    )
    .option(
      '-f, --file <file>',
      'the project pipeline file (default: .ferry.yml at the top of the working copy)',
    )
    .option('-t, --template <file>', 'the template it is merged over (default: pipelines/default.yml)')
    .option('-c, --config <file>', 'Ferry configuration for the executor settings (default: $FERRY_CONFIG)')
    .option('--project <path>', 'the GitLab project path, group/name (default: from the origin remote)')
    .option(
      '--runner-image <image>',
      "Ferry's runner image for clone, services and cache (default: executor.docker.runnerImage)",
    )
    .action(async (opts: ExecOptions) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        process.exitCode = await runExec(opts, {
          out: process.stdout,
          err: process.stderr,
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
