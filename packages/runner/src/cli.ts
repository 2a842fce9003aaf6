import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RunnerEnv } from '@ferry/shared/runner-env';
import { Command } from 'commander';
import { cacheCommand } from './cache/cache-command.js';
import { clone } from './clone/clone.js';
import { CloneExit } from './clone/clone-exit.js';
import { parseCloneTarget } from './clone/clone-target.js';
import { readToken } from './clone/read-token.js';
import { runScript } from './run/run-script.js';
import { servicesCommand } from './services/wait-command.js';
import { runnerVersion } from './version.js';

/**
 * The `ferry-runner` command line: the program inside every runner. Subcommands return exit codes.
 * `release` adds build and deploy, whose modules (the Docker and Kubernetes clients, the spec)
 * take about half a second to load: a clone or a script run, on every stage's path, never loads them.
 */
export function buildCli(setExit: (code: number) => void, release: readonly Command[] = []): Command {
  const env = process.env;
  const program = new Command('ferry-runner')
    .description('the program inside each Ferry runner: clone a commit, run a stage script')
    .version(runnerVersion);
  program.showHelpAfterError();
  program.exitOverride();

  program
    .command('clone')
    .description(
      `fetch exactly one commit (shallow) into the workspace; the token comes from ${RunnerEnv.cloneToken} only`,
    )
    .option('--url <url>', `http(s) clone URL without credentials (default: $${RunnerEnv.cloneUrl})`)
    .option('--sha <sha>', `the full commit sha (default: $${RunnerEnv.sha})`)
    .option('--ref <ref>', `the branch, for the log only (default: $${RunnerEnv.ref})`)
    .option('--dir <dir>', `the workspace (default: $${RunnerEnv.workspace} or the current directory)`)
    .option(
      '--token-stdin',
      `read the token from standard input instead of $${RunnerEnv.cloneToken} (it then appears in no environment)`,
    )
    .action(
      async (opts: { url?: string; sha?: string; ref?: string; dir?: string; tokenStdin?: boolean }) => {
        const target = parseCloneTarget({
          url: opts.url ?? env[RunnerEnv.cloneUrl],
          sha: opts.sha ?? env[RunnerEnv.sha],
          ref: opts.ref ?? env[RunnerEnv.ref],
        });
        if ('problem' in target) {
          process.stderr.write(`ferry-runner: clone refused: ${target.problem}\n`);
          return setExit(CloneExit.invalid);
        }
        let token = env[RunnerEnv.cloneToken];
        if (opts.tokenStdin === true) {
          try {
            token = await readToken(process.stdin);
          } catch (err) {
            process.stderr.write(`ferry-runner: clone refused: ${(err as Error).message}\n`);
            return setExit(CloneExit.invalid);
          }
        }
        const user = env[RunnerEnv.cloneUser];
        // Nothing git starts needs the token in its environment: it travels in a config header.
        const gitBase = { ...env };
        delete gitBase[RunnerEnv.cloneToken];
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGTERM', stop).once('SIGINT', stop);
        try {
          setExit(
            await clone({
              target,
              dir: resolve(opts.dir ?? env[RunnerEnv.workspace] ?? process.cwd()),
              ...(token === undefined || token === '' ? {} : { token }),
              ...(user === undefined || user === '' ? {} : { user }),
              env: gitBase,
              stdout: process.stdout,
              stderr: process.stderr,
              signal: controller.signal,
            }),
          );
        } catch (err) {
          process.stderr.write(`ferry-runner: clone failed: ${(err as Error).message}\n`);
          setExit(controller.signal.aborted ? 143 : CloneExit.failed);
        } finally {
          process.off('SIGTERM', stop).off('SIGINT', stop);
        }
      },
    );

  program
    .command('run')
    .description('run stage commands with sh -e semantics, each echoed as "$ command" before it runs')
    .argument('[commands...]', 'the commands (or --commands-file)')
    .option('--commands-file <file>', 'a JSON array of command strings')
    .option(
      '--dir <dir>',
      `where the commands run (default: $${RunnerEnv.workspace} or the current directory)`,
    )
    .option('--no-new-group', "keep the shell in the runner's process group (the caller kills the group)")
    .action(async (args: string[], opts: { commandsFile?: string; dir?: string; newGroup: boolean }) => {
      const commands = opts.commandsFile === undefined ? args : await readCommands(opts.commandsFile);
      if (commands === undefined) {
        process.stderr.write('ferry-runner: --commands-file must hold a JSON array of strings\n');
        return setExit(2);
      }
      setExit(
        await runScript(
          {
            commands,
            cwd: resolve(opts.dir ?? env[RunnerEnv.workspace] ?? process.cwd()),
            env,
            newGroup: opts.newGroup,
          },
          process.stderr,
        ),
      );
    });

  program.addCommand(cacheCommand(setExit, process.stdout));
  program.addCommand(servicesCommand(setExit, process.stdout));
  for (const command of release) program.addCommand(command);

  return program;
}

async function readCommands(file: string): Promise<string[] | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (Array.isArray(parsed) && parsed.every((c) => typeof c === 'string')) return parsed;
  } catch {
    // Reported by the caller.
  }
  return undefined;
}

/** The subcommands that need no release modules. */
const LIGHT = new Set(['clone', 'run', 'cache', 'services']);

/**
 * The release subcommands `argv` needs: build loads only the build modules, deploy only the deploy
 * ones (the Kubernetes client alone takes a second or more to load on a busy node); help or an
 * unknown command gets both.
 */
async function releaseCommands(
  name: string | undefined,
  setExit: (code: number) => void,
): Promise<Command[]> {
  const build = async () => (await import('./build/build-command.js')).buildCommand(setExit);
  const deploy = async () => (await import('./deploy/deploy-command.js')).deployCommand(setExit);
  if (name === 'build') return [await build()];
  if (name === 'deploy') return [await deploy()];
  return Promise.all([build(), deploy()]);
}

export async function main(argv: readonly string[]): Promise<number> {
  let exit = 0;
  const setExit = (code: number) => {
    exit = code;
  };
  try {
    const release = LIGHT.has(argv[0] ?? '') ? [] : await releaseCommands(argv[0], setExit);
    await buildCli(setExit, release).parseAsync(argv as string[], { from: 'user' });
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    exit = typeof code === 'number' ? code : 2;
  }
  return exit;
}
