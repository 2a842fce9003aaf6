import { CliErrors, type PipelineRecord } from '@ferry/shared';
import type { Command } from 'commander';
import { CliFailure } from '../client/cli-failure.js';
import type { CliIo } from '../client/cli-io.js';
import type { ServerChoice } from '../client/contexts.js';
import { ExitCode } from '../client/exit-codes.js';
import type { FerryApi } from '../client/ferry-api.js';
import { runClient, withTarget } from './run-client.js';
import { watchPipeline } from './watch.js';

export interface ActionOptions extends ServerChoice {
  watch?: boolean;
}

/** An action on one pipeline, its API route, and what it answers. */
interface ActionSpec {
  name: string;
  description: string;
  /** The route under /pipelines/:id/. */
  route: string;
  /** `created`: a new pipeline (201 { pipelineId }); `updated`: the pipeline itself. */
  answer: 'created' | 'updated';
}

const actions: readonly ActionSpec[] = [
  {
    name: 'cancel',
    description: 'cancel a pipeline (a running stage is stopped where it runs)',
    route: 'cancel',
    answer: 'updated',
  },
  {
    name: 'retry',
    description: 'run a finished pipeline again (same commit and environment)',
    route: 'retry',
    answer: 'created',
  },
  {
    name: 'approve',
    description: 'let a deploy waiting for approval go on',
    route: 'approve',
    answer: 'updated',
  },
  {
    name: 'promote',
    description: 'canary: go to the next step now',
    route: 'canary/promote',
    answer: 'updated',
  },
  {
    name: 'abort',
    description: 'canary: stop it; the running version stays',
    route: 'canary/abort',
    answer: 'updated',
  },
  {
    name: 'rollback',
    description: "deploy a successful pipeline's image again (a new pipeline)",
    route: 'rollback',
    answer: 'created',
  },
];

async function act(api: FerryApi, io: CliIo, spec: ActionSpec, id: string, watch: boolean): Promise<number> {
  const path = `/pipelines/${encodeURIComponent(id)}/${spec.route}`;
  if (spec.answer === 'created') {
    const { pipelineId } = await api.request<{ pipelineId: string }>('POST', path, {});
    io.out.write(`pipeline ${pipelineId} queued (${spec.name} of ${id})\n`);
    return watch ? watchPipeline(api, pipelineId, io) : ExitCode.ok;
  }
  const p = await api.request<PipelineRecord>('POST', path, {});
  const pending = p.cancelRequested === true && spec.name === 'cancel' ? ', stopping its stage' : '';
  io.out.write(`pipeline ${p.id}: ${spec.name} done; it is ${p.status}${pending}\n`);
  return watch ? watchPipeline(api, p.id, io) : ExitCode.ok;
}

/** `ferry cancel|retry|approve|promote|abort|rollback ID [--watch]`. */
export async function pipelineAction(
  io: CliIo,
  name: string,
  id: string,
  opts: ActionOptions,
): Promise<number> {
  const spec = actions.find((a) => a.name === name);
  if (spec === undefined) throw new TypeError(`no action ${name}`);
  return runClient(io, opts, (api) => act(api, io, spec, id, opts.watch === true));
}

interface TriggerOptions extends ServerChoice {
  env: string;
  sha?: string;
  watch?: boolean;
}

/** `ferry trigger PROJECT --env ENV`: the environment's branch comes from the server's configuration. */
export async function trigger(io: CliIo, project: string, opts: TriggerOptions): Promise<number> {
  return runClient(io, opts, async (api) => {
    const { configured } = await api.request<{ configured: { name: string; branch: string }[] }>(
      'GET',
      `/environments?${new URLSearchParams({ project })}`,
    );
    const environment = configured.find((e) => e.name === opts.env);
    if (environment === undefined)
      throw CliFailure.of(CliErrors.CLI_INVALID_ARGUMENT, {
        what: 'environment',
        value: opts.env,
        reason: `the environments are ${configured.map((e) => e.name).join(', ')}`,
      });
    const body = { project, ref: environment.branch, ...(opts.sha === undefined ? {} : { sha: opts.sha }) };
    const { pipelineId } = await api.request<{ pipelineId: string }>('POST', '/pipelines', body);
    io.out.write(`pipeline ${pipelineId} queued (${project} → ${opts.env})\n`);
    return opts.watch === true ? watchPipeline(api, pipelineId, io) : ExitCode.ok;
  });
}

export function registerActions(program: Command, io: () => CliIo): void {
  withTarget(
    program
      .command('trigger')
      .description("run a project's environment branch by hand")
      .argument('<project>', 'GitLab project id or path (group/name)')
      .requiredOption('-e, --env <environment>', 'the environment')
      .option('--sha <sha>', 'the commit (default: the last head Ferry saw of the branch)')
      .option('-w, --watch', 'follow the pipeline until it ends (exit code: 0 success, 1 otherwise)'),
  ).action(async (project: string, opts: TriggerOptions) => {
    process.exitCode = await trigger(io(), project, opts);
  });
  for (const spec of actions) {
    withTarget(
      program
        .command(spec.name)
        .description(spec.description)
        .argument('<id>', 'pipeline id')
        .option('-w, --watch', 'follow the pipeline until it ends (exit code: 0 success, 1 otherwise)'),
    ).action(async (id: string, opts: ActionOptions) => {
      process.exitCode = await pipelineAction(io(), spec.name, id, opts);
    });
  }
}
