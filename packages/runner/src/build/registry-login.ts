import type Docker from 'dockerode';
import type { RegistryAccess } from './build-env.js';
import { registryCheckFailure } from './registry-errors.js';

/** The engine's auth config for the registry (sent in X-Registry-Auth; never printed). */
export function authConfig(reg: RegistryAccess): {
  username: string;
  password: string;
  serveraddress: string;
} {
  return { username: reg.username, password: reg.password, serveraddress: reg.host };
}

/**
 * Checks the credentials with the registry through the engine before anything is built, so wrong
 * credentials fail in a second instead of after the build. Anonymous registries are not checked.
 */
export async function checkRegistryLogin(
  docker: Docker,
  reg: RegistryAccess,
  signal: AbortSignal,
): Promise<void> {
  if (reg.username === '') return;
  try {
    await docker.checkAuth({ ...authConfig(reg), abortSignal: signal });
  } catch (err) {
    signal.throwIfAborted();
    const reason = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
    throw registryCheckFailure(reg, reason, err);
  }
}
