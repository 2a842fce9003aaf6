/** Shared setup of the release tests: plans, workspaces, running the runner's subcommands in-process. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  defaultTemplatePath,
  loadSpec,
  type ResolvedPlan,
  type ResultKind,
  readResult,
  resolveSpec,
} from '@ferry/shared';
import type { Command } from 'commander';
import { type TestRegistry, testRegistry } from '../support/services.js';

export const registry: TestRegistry = testRegistry();

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

/** A plan from the default template merged with `override` (YAML). */
export function planFor(
  override: string,
  opts: { env?: string; sha?: string; project: string },
): ResolvedPlan {
  const template = { text: readFileSync(defaultTemplatePath(), 'utf8'), file: 'pipelines/default.yml' };
  const loaded = loadSpec(template, { text: override, file: '.ferry.yml' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return resolveSpec(loaded.spec, {
    env: opts.env ?? 'test',
    sha: opts.sha ?? randomSha(),
    project: opts.project,
  });
}

/** A workspace directory holding `files` (a `{ symlink: target }` value makes a link). */
export async function workspace(files: Record<string, string | { symlink: string }>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-release-ws-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    if (typeof content === 'string') await writeFile(join(dir, name), content);
    else await symlink(content.symlink, join(dir, name));
  }
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface CommandRun {
  exit: number;
  stdout: string;
  stderr: string;
  result: Record<string, unknown> | undefined;
}

type CommandFactory = (
  setExit: (code: number) => void,
  env: Record<string, string | undefined>,
  io: { stdout: { write(t: string): unknown }; stderr: { write(t: string): unknown } },
) => Command;

/** Runs a runner subcommand in-process with `env` as its whole environment, capturing its output. */
export async function runSubcommand(
  factory: CommandFactory,
  env: Record<string, string | undefined>,
  args: string[] = [],
): Promise<CommandRun> {
  let exit = -1;
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  };
  const command = factory((code) => (exit = code), env, io);
  await command.parseAsync(args, { from: 'user' });
  // Read as the server reads it: a line the contract's schemas refuse fails the test.
  const read = readResult(stdout, command.name() as ResultKind);
  if (read.kind === 'invalid') throw new Error(`${read.error.message}\n${stdout}`);
  return { exit, stdout, stderr, result: read.kind === 'result' ? { ...read.result } : undefined };
}

/** The error of a failed run's result line. */
export function errorOf(run: CommandRun): { code: string; message: string } {
  const error = run.result?.error as { code: string; message: string } | undefined;
  if (error === undefined) throw new Error(`no error in the result line:\n${run.stdout}\n${run.stderr}`);
  return error;
}

/** Basic-auth GET on the test registry's API. */
export async function registryFetch(path: string, accept?: string): Promise<Response> {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  return fetch(`http://${registry.address}${path}`, {
    headers: { Authorization: `Basic ${auth}`, ...(accept ? { Accept: accept } : {}) },
  });
}

/** The runner's registry variables for the test registry. */
export function registryEnv(password = registry.password): Record<string, string> {
  return {
    FERRY_REGISTRY: registry.address,
    FERRY_REGISTRY_USER: registry.username,
    FERRY_REGISTRY_PASSWORD: password,
  };
}
