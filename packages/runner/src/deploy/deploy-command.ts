import {
  deployTimeBudgetMs,
  FerryError,
  ReleaseErrors,
  RunnerEnv,
  serverContractMismatch,
} from '@ferry/shared';
import { Command } from 'commander';
import { type CommandIo, refuseJob, runReleaseCommand } from '../command/command-run.js';
import { OutputLines } from '../command/output-lines.js';
import { apiFailure } from './api-error.js';
import { runDeploy } from './deploy.js';
import { readDeployJob } from './deploy-env.js';
import { kubeClients } from './kube-clients.js';

/**
 * `ferry-runner deploy`: change pod. The job comes in the environment (RunnerEnv,
 * docs/release.md). Prints one `::ferry-result::` line: `{"deployed","commit","revision",…}` on
 * success, `{"error", "rolledBackTo", …}` after a rollback.
 */
export function deployCommand(
  setExit: (code: number) => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr },
): Command {
  return new Command('deploy')
    .exitOverride()
    .description(
      `apply the environment's objects and roll the image out, rolling back on failure (job in ${RunnerEnv.plan}, ${RunnerEnv.image}, …; see docs/release.md)`,
    )
    .action(async () => {
      const mismatch = serverContractMismatch(env);
      if (mismatch !== undefined) return setExit(refuseJob('deploy', io, mismatch));
      const job = readDeployJob(env);
      if ('problem' in job)
        return setExit(
          refuseJob(
            'deploy',
            io,
            new FerryError(ReleaseErrors.RELEASE_INVALID_JOB, { command: 'deploy', reason: job.problem }),
          ),
        );
      const out = new OutputLines((text) => io.stdout.write(text));
      const budget = job.canaryPromote === 'manual' ? undefined : deployTimeBudgetMs(job.plan);
      setExit(
        await runReleaseCommand('deploy', io, budget, async (signal) => {
          let clients: ReturnType<typeof kubeClients>;
          try {
            clients = kubeClients(job.kubeconfig, job.kubeContext);
          } catch (err) {
            throw new FerryError(ReleaseErrors.RELEASE_CLUSTER_UNREACHABLE, {
              server: job.kubeconfig === null ? '(in-cluster)' : '(kubeconfig)',
              reason: (err as Error).message,
            });
          }
          try {
            return await runDeploy(job, clients, out, signal);
          } catch (err) {
            // A bare client error (a read or watch the API server refused or never answered).
            if (err instanceof FerryError || signal.aborted) throw err;
            throw new FerryError(
              ReleaseErrors.RELEASE_CLUSTER_UNREACHABLE,
              { server: clients.server, reason: apiFailure(err).message },
              { cause: err },
            );
          } finally {
            out.flush();
          }
        }),
      );
    });
}
