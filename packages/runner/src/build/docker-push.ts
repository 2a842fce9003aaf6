import { FerryError, ReleaseErrors } from '@ferry/shared';
import type Docker from 'dockerode';
import type { OutputLines } from '../command/output-lines.js';
import type { RegistryAccess } from './build-env.js';
import { messageError } from './docker-messages.js';
import { followMessages } from './follow-messages.js';
import { progressLine } from './progress-line.js';
import { registryFailure } from './registry-errors.js';
import { authConfig } from './registry-login.js';

/**
 * Pushes `repository:tag` with the job's credentials, the engine's progress summarised into
 * `out`. Returns the digest the engine reports. Throws RELEASE_REGISTRY_UNAUTHORIZED for refused
 * credentials, RELEASE_PUSH_FAILED otherwise.
 */
export async function dockerPush(
  docker: Docker,
  reg: RegistryAccess,
  repository: string,
  tag: string,
  out: OutputLines,
  signal: AbortSignal,
): Promise<string | undefined> {
  const image = `${repository}:${tag}`;
  let failure: string | undefined;
  let digest: string | undefined;
  try {
    const stream = await docker
      .getImage(repository)
      .push({ tag, authconfig: authConfig(reg), abortSignal: signal });
    await followMessages(
      stream,
      (message) => {
        const progress = progressLine(message);
        if (progress !== undefined) out.line(progress);
        if (message.aux?.Digest !== undefined) digest = message.aux.Digest;
        failure ??= messageError(message);
      },
      signal,
    );
  } catch (err) {
    signal.throwIfAborted();
    failure ??= (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
  }
  if (failure !== undefined) {
    const reason = failure;
    throw registryFailure(
      reg,
      reason,
      () => new FerryError(ReleaseErrors.RELEASE_PUSH_FAILED, { image, reason }),
    );
  }
  return digest;
}
