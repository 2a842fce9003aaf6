import { CliErrors, type PipelineRecord, pipelineStatuses } from '@ferry/shared';
import { type Command, Option } from 'commander';
import { CliFailure } from '../client/cli-failure.js';
import type { CliIo } from '../client/cli-io.js';
import type { ServerChoice } from '../client/contexts.js';
import { ExitCode } from '../client/exit-codes.js';
import { formatPipelines, type OutputFormat, outputFormats } from '../client/pipeline-table.js';
import { runClient, withTarget } from './run-client.js';

interface ListOptions extends ServerChoice {
  project?: string;
  env?: string;
  status?: string;
  ref?: string;
  limit: string;
  output: OutputFormat;
}

/** `ferry pipelines`: newest first, filtered as the API filters (project, environment, status, ref). */
export async function listPipelines(io: CliIo, opts: ListOptions): Promise<number> {
  return runClient(io, opts, async (api) => {
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw CliFailure.of(CliErrors.CLI_INVALID_ARGUMENT, {
        what: '--limit',
        value: opts.limit,
        reason: 'give 1 to 100',
      });
    const q = new URLSearchParams({ limit: String(limit) });
    if (opts.project !== undefined) q.set('project', opts.project);
    if (opts.env !== undefined) q.set('environment', opts.env);
    if (opts.status !== undefined) q.set('status', opts.status);
    if (opts.ref !== undefined) q.set('ref', opts.ref);
    const page = await api.request<{ items: PipelineRecord[] }>('GET', `/pipelines?${q}`);
    io.out.write(formatPipelines(page.items, opts.output, Date.now()));
    return ExitCode.ok;
  });
}

/** `ferry get ID`: one pipeline. */
export async function getPipeline(
  io: CliIo,
  id: string,
  opts: ServerChoice & { output: OutputFormat },
): Promise<number> {
  return runClient(io, opts, async (api) => {
    const p = await api.request<PipelineRecord>('GET', `/pipelines/${encodeURIComponent(id)}`);
    io.out.write(formatPipelines([p], opts.output, Date.now(), true));
    return ExitCode.ok;
  });
}

export const outputOption = () =>
  new Option('-o, --output <format>', 'table, wide, json or yaml').choices(outputFormats).default('table');

export function registerPipelines(program: Command, io: () => CliIo): void {
  withTarget(
    program
      .command('pipelines')
      .description('list pipelines, newest first')
      .option('-p, --project <project>', 'GitLab project id or path (group/name)')
      .option('-e, --env <environment>', 'one environment')
      .addOption(new Option('--status <status>', 'one status').choices(pipelineStatuses))
      .option('--ref <branch>', 'one branch')
      .option('-n, --limit <n>', 'how many (1–100)', '20')
      .addOption(outputOption()),
  ).action(async (opts: ListOptions) => {
    process.exitCode = await listPipelines(io(), opts);
  });
  withTarget(
    program
      .command('get')
      .description('one pipeline')
      .argument('<id>', 'pipeline id')
      .addOption(outputOption()),
  ).action(async (id: string, opts: ServerChoice & { output: OutputFormat }) => {
    process.exitCode = await getPipeline(io(), id, opts);
  });
}
