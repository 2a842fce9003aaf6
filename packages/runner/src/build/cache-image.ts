import type Docker from 'dockerode';
import type { RegistryAccess } from './build-env.js';
import { messageError } from './docker-messages.js';
import { followMessages } from './follow-messages.js';
import { authConfig } from './registry-login.js';

/**
 * Pulls the environment's previous image so the build can use its layers as cache. Best effort:
 * the first build of an environment has none. Returns the image when it is in the engine.
 */
export async function pullCacheImage(
  docker: Docker,
  reg: RegistryAccess,
  image: string,
  signal: AbortSignal,
): Promise<{ image: string } | { missing: string }> {
  try {
    const stream = await docker.pull(image, { authconfig: authConfig(reg), abortSignal: signal });
    let failure: string | undefined;
    await followMessages(stream, (m) => (failure ??= messageError(m)), signal);
    if (failure !== undefined) return { missing: failure };
    return { image };
  } catch (err) {
    signal.throwIfAborted();
    return { missing: (err as { json?: { message?: string } }).json?.message ?? (err as Error).message };
  }
}
