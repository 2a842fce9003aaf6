import {
  type BuildSuccess,
  type DeployFailureFields,
  type DeploySuccess,
  type FerryError,
  formatResultLine,
  isFerryError,
  type ResultKind,
} from '@ferry/shared';

/** Exit codes of the runner's release subcommands. */
export const ReleaseExit = {
  ok: 0,
  /** The stage failed for a reason in the log (refused image, build error, failed rollout). */
  failed: 1,
  /** The job is invalid (missing or malformed variables). */
  invalid: 2,
  /** The stage timeout passed. */
  timeout: 124,
  /** SIGTERM/SIGINT: the orchestrator canceled. */
  canceled: 143,
} as const;

export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Runs a release subcommand's body with an AbortSignal that fires on SIGTERM/SIGINT (and after
 * `timeoutMs`), prints its result line on success, or the error (code and message) on stderr and
 * a result line `{"error": {code, message}, …extra}` on failure. Returns the exit code.
 */
export async function runReleaseCommand(
  name: ResultKind,
  io: CommandIo,
  timeoutMs: number | undefined,
  body: (signal: AbortSignal) => Promise<BuildSuccess | DeploySuccess>,
): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error(`ferry-runner ${name} received a termination signal`));
  process.once('SIGTERM', stop).once('SIGINT', stop);
  const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signal = timeout === undefined ? controller.signal : AbortSignal.any([controller.signal, timeout]);
  try {
    const result = await body(signal);
    io.stdout.write(formatResultLine(name, result));
    return ReleaseExit.ok;
  } catch (err) {
    const timedOut = timeout?.aborted === true && !controller.signal.aborted;
    if (signal.aborted) {
      const reason = timedOut ? `the stage timeout (${timeoutMs} ms) passed` : 'canceled';
      io.stderr.write(`ferry-runner ${name}: stopped: ${reason}\n`);
      io.stdout.write(
        formatResultLine(name, {
          error: { code: 'FERRY_ERR_ABORTED', message: `ferry-runner ${name} stopped: ${reason}` },
        }),
      );
      return timedOut ? ReleaseExit.timeout : ReleaseExit.canceled;
    }
    const error = isFerryError(err)
      ? { code: err.code, message: err.message }
      : {
          code: 'FERRY_ERR_INTERNAL',
          message: `ferry-runner ${name} hit an unexpected error: ${(err as Error).message}`,
        };
    io.stderr.write(`ferry-runner ${name}: ${error.code}: ${error.message}\n`);
    const extra: DeployFailureFields = (err as { result?: DeployFailureFields }).result ?? {};
    io.stdout.write(formatResultLine(name, { ...extra, error }));
    return isFerryError(err) && err.status === 422 && error.code.endsWith('INVALID_JOB')
      ? ReleaseExit.invalid
      : ReleaseExit.failed;
  } finally {
    process.off('SIGTERM', stop).off('SIGINT', stop);
  }
}

/**
 * Refuses a job before it starts (a contract version the runner does not speak, a missing or
 * malformed variable): the error on stderr, its result line on stdout. Returns the exit code.
 */
export function refuseJob(name: ResultKind, io: CommandIo, err: FerryError): number {
  io.stderr.write(`ferry-runner ${name}: ${err.code}: ${err.message}\n`);
  io.stdout.write(formatResultLine(name, { error: err.toJSON() }));
  return ReleaseExit.invalid;
}
