import * as RunnerErrors from '../errors/codes/runner.js';
import { FerryError } from '../errors/ferry-error.js';
import { RunnerEnv } from './env-keys.js';

/**
 * The version of the server–runner contract this build speaks: the environment keys, the result
 * line and its schemas. Raise it whenever a change means an older runner image and a newer server
 * (or the reverse) would misread each other. The server passes its own in FERRY_CONTRACT_VERSION;
 * the runner's result line carries the runner's as `contract`.
 */
export const RUNNER_CONTRACT_VERSION = 1;

/** How an unversioned peer (a runner image from before contract versions) is named in messages. */
const UNVERSIONED = 'none (a runner image from before contract versions)';

/** The typed error for a runner that speaks `runner` where the server speaks `server`. */
export function contractMismatch(runner: unknown, server: unknown): FerryError {
  return new FerryError(RunnerErrors.RUNNER_CONTRACT_MISMATCH, {
    runner: runner === undefined ? UNVERSIONED : JSON.stringify(runner),
    server: server === undefined ? UNVERSIONED : JSON.stringify(server),
  });
}

/**
 * The runner's check of the version the server sent: undefined when it matches or was not sent
 * (a person running `ferry-runner build` by hand), else the mismatch. Pure.
 */
export function serverContractMismatch(
  env: Readonly<Record<string, string | undefined>>,
): FerryError | undefined {
  const sent = env[RunnerEnv.contractVersion];
  if (sent === undefined || sent.trim() === '') return undefined;
  const server = Number(sent);
  if (server === RUNNER_CONTRACT_VERSION) return undefined;
  return contractMismatch(RUNNER_CONTRACT_VERSION, Number.isInteger(server) ? server : sent);
}
