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
    const wanted = stage === undefined ? stageNames : [stage as StageName];
    const print = (line: LogLine) =>
      io.out.write(`${io.out.isTTY === true ? line.x : stripVTControlCharacters(line.x)}\n`);
    let pipeline = await api.request<PipelineRecord>('GET', `/pipelines/${encodeURIComponent(id)}`);
    for (const name of wanted) {
      if (opts.follow === true) {
        // A stage that has not started yet: wait for it (or for the pipeline to end without it).
        pipeline =
          (await waitForPipeline(api, id, (p) => statusOf(p, name) !== 'pending', io.signal)) ?? pipeline;
      }
      const status = statusOf(pipeline, name);
      if (status === undefined || status === 'pending' || status === 'skipped') continue;
      if (wanted.length > 1) io.out.write(`==> ${name} <==\n`);
      if (opts.follow === true) await followStage(api, id, name, io, print);
      else await readStage(api, id, name, print);
    }
    if (opts.follow !== true) return ExitCode.ok;
    if (io.signal.aborted) return 130;
    const end = isTerminalPipeline(pipeline.status)
      ? pipeline
      : await waitForPipeline(api, id, (p) => isTerminalPipeline(p.status), io.signal);
    return end?.status === 'success' ? ExitCode.ok : ExitCode.pipelineFailed;
  });
}

function statusOf(p: PipelineRecord, stage: StageName): string | undefined {
  return p.stages.find((s) => s.name === stage)?.status;
}

async function readStage(
  api: FerryApi,
  id: string,
  stage: string,
  print: (l: LogLine) => void,
): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ format: 'json', ...(cursor === undefined ? {} : { cursor }) });
    const page = await api.request<LogPage>(
      'GET',
      `/pipelines/${encodeURIComponent(id)}/stages/${stage}/log?${q}`,
    );
    for (const line of page.lines) print(line);
    if (page.done || page.lines.length === 0) return;
    cursor = page.cursor;
  }
}

async function followStage(
  api: FerryApi,
  id: string,
  stage: string,
  io: CliIo,
  print: (l: LogLine) => void,
): Promise<void> {
  const path = `/pipelines/${encodeURIComponent(id)}/stages/${stage}/log?format=sse`;
  for await (const event of api.events(path, { signal: io.signal })) {
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
      .option('-f, --follow', 'follow the logs until the pipeline ends'),
  ).action(async (id: string, stage: string | undefined, opts: LogsOptions) => {
    process.exitCode = await logs(io(), id, stage, opts);
  });
}
