import type { RegistryAccess } from '../build-env.js';
import { registryGet } from '../registry-client.js';
import { registryCheckFailure } from '../registry-errors.js';

/**
 * Checks the credentials with the registry API (`GET /v2/`, Basic or the registry's token realm)
 * before anything is built, so wrong credentials fail in a second, not after the build.
 * Anonymous registries are only checked for being reachable.
 */
export async function checkRegistryAccess(reg: RegistryAccess, signal: AbortSignal): Promise<void> {
  let reason: string;
  let cause: unknown;
  try {
    const response = await registryGet(reg, '/v2/', 'application/json', signal);
    await response.body?.cancel();
    if (response.ok || (reg.username === '' && response.status === 401)) return;
    reason = `GET /v2/ answered ${response.status}`;
  } catch (err) {
    signal.throwIfAborted();
    reason = (err as Error).message;
    cause = err;
  }
  throw registryCheckFailure(reg, reason, cause);
}
