import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FerryError, ReleaseErrors, RunnerEnv, serverContractMismatch } from '@ferry/shared';
import { Command } from 'commander';
import { type CommandIo, refuseJob, runReleaseCommand } from '../command/command-run.js';
import { OutputLines } from '../command/output-lines.js';
import { type BuildJob, readBuildJob } from './build-env.js';
import { readAuthFile } from './buildah/auth-file.js';
import { runBuildahBuild } from './buildah/buildah-build.js';
import { containerMemoryPeak } from './buildah/memory-peak.js';

/**
 * `ferry-runner build`: build and push the image of the checked-out commit. The job comes in the
 * environment (RunnerEnv, docs/release.md); the workspace is --dir, $FERRY_WORKSPACE or the current
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
      `build the image from the workspace and push it (job in ${RunnerEnv.plan}, ${RunnerEnv.registry}, …; see docs/release.md)`,
    )
    .option('--dir <dir>', `the workspace (default: $${RunnerEnv.workspace} or the current directory)`)
    .action(async (opts: { dir?: string }) => {
      const mismatch = serverContractMismatch(env);
      if (mismatch !== undefined) return setExit(refuseJob('build', io, mismatch));
      const job = readBuildJob(env);
      if ('problem' in job)
        return setExit(
          refuseJob(
            'build',
            io,
            new FerryError(ReleaseErrors.RELEASE_INVALID_JOB, { command: 'build', reason: job.problem }),
          ),
        );
      const workspace = resolve(opts.dir ?? env[RunnerEnv.workspace] ?? process.cwd());
      const out = new OutputLines((text) => io.stdout.write(text));
      setExit(
        await runReleaseCommand('build', io, job.plan.build.timeoutMs, async (signal) => {
          try {
            const ready = await withAuthFile(job);
            if (ready.builder === 'engine') {
              // dockerode loads only for an engine build: a buildah build pod never needs it.
              const [{ connectDocker }, { runEngineBuild }] = await Promise.all([
                import('./docker-engine.js'),
                import('./engine-build.js'),
              ]);
              const docker = await connectDocker(env, signal);
              return await runEngineBuild(ready, workspace, docker, out, signal);
            }
            const outcome = await runBuildahBuild(ready, workspace, out, signal);
            const peak = await containerMemoryPeak();
            if (peak !== undefined)
              out.line(`build container memory peak: ${Math.round(peak / 2 ** 20)} MiB`);
            return outcome;
          } finally {
            out.flush();
          }
        }),
      );
    });
}

/** The job with the registry credential read from its auth file (REGISTRY_AUTH_FILE), when it has one. */
async function withAuthFile(job: BuildJob): Promise<BuildJob> {
  if (job.authFile === null) return job;
  let text: string;
  try {
    text = await readFile(job.authFile, 'utf8');
  } catch (err) {
    throw new FerryError(ReleaseErrors.RELEASE_INVALID_JOB, {
      command: 'build',
      reason: `${RunnerEnv.registryAuthFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
  const cred = readAuthFile(text, job.registry.host);
  if ('problem' in cred)
    throw new FerryError(ReleaseErrors.RELEASE_INVALID_JOB, { command: 'build', reason: cred.problem });
  return { ...job, registry: { ...job.registry, ...cred } };
}
