import { resolve } from 'node:path';
import { FerryError, ReleaseErrors } from '@ferry/shared';
import { Command } from 'commander';
import { type CommandIo, ReleaseExit, runReleaseCommand } from '../command/command-run.js';
import { OutputLines } from '../command/output-lines.js';
import { formatResultLine } from '../command/result-line.js';
import { runBuild } from './build.js';
import { BuildEnv, readBuildJob } from './build-env.js';
import { connectDocker } from './docker-engine.js';

/**
 * `ferry-runner build`: build and push the image of the checked-out commit. The job comes in the
 * environment (BuildEnv, docs/release.md); the workspace is --dir, $FERRY_WORKSPACE or the current
 * directory. Prints one `::ferry-result::{"image","digest","reference","tags"}` line on stdout.
 */
export function buildCommand(
  setExit: (code: number) => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr },
): Command {
  return new Command('build')
    .exitOverride()
    .description(
      `build the image from the workspace and push it (job in ${BuildEnv.plan}, ${BuildEnv.registry}, …; see docs/release.md)`,
    )
    .option('--dir <dir>', `the workspace (default: $${BuildEnv.workspace} or the current directory)`)
    .action(async (opts: { dir?: string }) => {
      const job = readBuildJob(env);
      if ('problem' in job) {
        const err = new FerryError(ReleaseErrors.RELEASE_INVALID_JOB, {
          command: 'build',
          reason: job.problem,
        });
        io.stderr.write(`ferry-runner build: ${err.code}: ${err.message}\n`);
        io.stdout.write(formatResultLine({ error: err.toJSON() }));
        return setExit(ReleaseExit.invalid);
      }
      const workspace = resolve(opts.dir ?? env[BuildEnv.workspace] ?? process.cwd());
      const out = new OutputLines((text) => io.stdout.write(text));
      setExit(
        await runReleaseCommand('build', io, job.plan.build.timeoutMs, async (signal) => {
          try {
            const docker = await connectDocker(env, signal);
            return { ...(await runBuild(job, workspace, docker, out, signal)) };
          } finally {
            out.flush();
          }
        }),
      );
    });
}
