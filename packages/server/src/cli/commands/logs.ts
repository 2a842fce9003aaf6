import { stripVTControlCharacters } from 'node:util';
import {
  CliErrors,
  isTerminalPipeline,
  type LogLine,
  type PipelineRecord,
  type StageName,
  stageNames,
} from '@ferry/shared';
import type { Command } from 'commander';
import { CliFailure } from '../client/cli-failure.js';
import type { CliIo } from '../client/cli-io.js';
import type { ServerChoice } from '../client/contexts.js';
import { ExitCode } from '../client/exit-codes.js';
import type { FerryApi } from '../client/ferry-api.js';
import { waitForPipeline } from '../client/follow-pipeline.js';
import { runClient, withTarget } from './run-client.js';

interface LogsOptions extends ServerChoice {
  follow?: boolean;
  /** One job of the test stage (parallel jobs): its own log. */
  job?: string;
}

/** One log to print: a stage's, or one job's of the test stage. */
interface LogTarget {
  stage: StageName;
  job?: string;
  /** The header shown when several logs are printed (`test`, `test:unit`). */
  label: string;
}

interface LogPage {
  lines: LogLine[];
  cursor: string;
  done: boolean;
}

/**
 * `ferry logs ID [stage]`: the stage logs (every stage that ran, or the one named). With -f they
 * are followed live over server-sent events, stage after stage, resuming with Last-Event-ID when
 * the connection drops; the exit code is then the pipeline's (0 success, 1 otherwise). Colours
 * (ANSI) are kept on a terminal and stripped when the output is a file or a pipe.
 */
export async function logs(
  io: CliIo,
  id: string,
  stage: string | undefined,
  opts: LogsOptions,
): Promise<number> {
  return runClient(io, opts, async (api) => {
    if (stage !== undefined && !(stageNames as readonly string[]).includes(stage))
      throw CliFailure.of(CliErrors.CLI_INVALID_ARGUMENT, {
        what: 'stage',
        value: stage,
        reason: `the stages are ${stageNames.join(', ')}`,
      });
    if (opts.job !== undefined && stage !== undefined && stage !== 'test')
      throw CliFailure.of(CliErrors.CLI_INVALID_ARGUMENT, {
        what: 'stage',
        value: stage,
        reason: '--job names a job of the test stage',
      });
    const wanted =
      opts.job !== undefined ? ['test' as const] : stage === undefined ? stageNames : [stage as StageName];
    const print = (line: LogLine) =>
      io.out.write(`${io.out.isTTY === true ? line.x : stripVTControlCharacters(line.x)}\n`);
    // With -f the command rides out a server that is away (as its event streams do).
    const path = `/pipelines/${encodeURIComponent(id)}`;
    let pipeline =
      opts.follow === true
        ? await api.getPatiently<PipelineRecord>(path, io.signal)
        : await api.request<PipelineRecord>('GET', path);
    let printed = 0;
    for (const name of wanted) {
      if (opts.follow === true) {
        // A stage (or the job asked for) that has not started yet: wait for it, or for the
        // pipeline to end without it.
        const started = (p: PipelineRecord) =>
          statusOf(p, name) !== 'pending' &&
          (opts.job === undefined ||
            statusOf(p, name) !== 'running' ||
            p.stages.some(
              (s) => s.name === name && (s.jobsForm === 'single' || s.jobs?.some((j) => j.name === opts.job)),
            ));
        pipeline = (await waitForPipeline(api, id, started, io.signal)) ?? pipeline;
      }
      const status = statusOf(pipeline, name);
      if (status === undefined || status === 'pending' || status === 'skipped') continue;
      const targets = logTargets(pipeline, name, opts.job);
      for (const target of targets) {
        if (wanted.length > 1 || targets.length > 1) io.out.write(`==> ${target.label} <==\n`);
        if (opts.follow === true) await followLog(api, id, target, io, print);
        else await readLog(api, id, target, print);
        printed += 1;
      }
    }
    if (opts.job !== undefined && printed === 0 && !io.signal.aborted)
      throw CliFailure.of(CliErrors.CLI_INVALID_ARGUMENT, {
        what: 'job',
        value: opts.job,
        reason: 'the test stage of this pipeline did not run',
      });
    if (opts.follow !== true) return ExitCode.ok;
    if (io.signal.aborted) return 130;
    const end = isTerminalPipeline(pipeline.status)
      ? pipeline
      : await waitForPipeline(api, id, (p) => isTerminalPipeline(p.status), io.signal);
    return end?.status === 'success' ? ExitCode.ok : ExitCode.pipelineFailed;
  });
}

/**
 * The logs of one stage: the stage's own; for a test stage with named jobs, its summary and then
 * each job's, or only the job asked for (the simple form's one job is named `test` and its log is
 * the stage's). An unknown job is an invalid argument naming the jobs there are.
 */
export function logTargets(p: PipelineRecord, stage: StageName, job: string | undefined): LogTarget[] {
  const record = p.stages.find((s) => s.name === stage);
  const jobs = record?.jobsForm === 'jobs' ? (record.jobs ?? []).map((j) => j.name) : [];
  if (job === undefined)
    return [
      { stage, label: stage },
      ...jobs.map((name) => ({ stage, job: name, label: `${stage}:${name}` })),
    ];
  if (jobs.includes(job)) return [{ stage, job, label: `${stage}:${job}` }];
  if (record?.jobsForm !== 'jobs' && job === 'test') return [{ stage, label: stage }];
  throw CliFailure.of(CliErrors.CLI_INVALID_ARGUMENT, {
    what: 'job',
    value: job,
    reason: `the test jobs of this pipeline are ${jobs.length === 0 ? 'test (the simple form)' : jobs.join(', ')}`,
  });
}

function logPath(id: string, target: LogTarget, format: 'json' | 'sse', cursor?: string): string {
  const q = new URLSearchParams({
    format,
    ...(target.job === undefined ? {} : { job: target.job }),
    ...(cursor === undefined ? {} : { cursor }),
  });
  return `/pipelines/${encodeURIComponent(id)}/stages/${target.stage}/log?${q}`;
}

function statusOf(p: PipelineRecord, stage: StageName): string | undefined {
  return p.stages.find((s) => s.name === stage)?.status;
}

async function readLog(
  api: FerryApi,
  id: string,
  target: LogTarget,
  print: (l: LogLine) => void,
): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await api.request<LogPage>('GET', logPath(id, target, 'json', cursor));
    for (const line of page.lines) print(line);
    if (page.done || page.lines.length === 0) return;
    cursor = page.cursor;
  }
}

async function followLog(
  api: FerryApi,
  id: string,
  target: LogTarget,
  io: CliIo,
  print: (l: LogLine) => void,
): Promise<void> {
  for await (const event of api.events(logPath(id, target, 'sse'), { signal: io.signal })) {
    if (event.event === 'lines')
      for (const line of (JSON.parse(event.data) as { lines: LogLine[] }).lines) print(line);
    if (event.event === 'end') return;
  }
}

export function registerLogs(program: Command, io: () => CliIo): void {
  withTarget(
    program
      .command('logs')
      .description("stage logs of a pipeline; -f follows them live (exit code: the pipeline's)")
      .argument('<id>', 'pipeline id')
      .argument('[stage]', `one stage: ${stageNames.join(', ')}`)
      .option('-f, --follow', 'follow the logs until the pipeline ends')
      .option('-j, --job <name>', 'one job of the test stage (parallel jobs): its own log'),
  ).action(async (id: string, stage: string | undefined, opts: LogsOptions) => {
    process.exitCode = await logs(io(), id, stage, opts);
  });
}
