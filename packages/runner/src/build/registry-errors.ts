import { FerryError, ReleaseErrors } from '@ferry/shared';
import type { RegistryAccess } from './build-env.js';

/** What registries and the engine say when credentials are wrong or lack a permission. */
const UNAUTHORIZED_RE =
  /unauthori[sz]ed|authentication required|401|denied|forbidden|incorrect username or password/i;

/** A registry failure as RELEASE_REGISTRY_UNAUTHORIZED when it is about credentials, else `fallback`. Pure. */
export function registryFailure(
  reg: RegistryAccess,
  reason: string,
  fallback: () => FerryError,
  cause?: unknown,
): FerryError {
  if (UNAUTHORIZED_RE.test(reason))
    return new FerryError(
      ReleaseErrors.RELEASE_REGISTRY_UNAUTHORIZED,
      { registry: reg.host, user: reg.username === '' ? '(anonymous)' : reg.username, reason },
      { cause },
    );
  return fallback();
}

/** A failed credentials check: RELEASE_REGISTRY_UNAUTHORIZED, or RELEASE_PUSH_FAILED (unreachable). Pure. */
export function registryCheckFailure(reg: RegistryAccess, reason: string, cause?: unknown): FerryError {
  return registryFailure(
    reg,
    reason,
    () =>
      new FerryError(
        ReleaseErrors.RELEASE_PUSH_FAILED,
        { image: reg.host, reason: `the registry cannot be reached: ${reason}` },
        { cause },
      ),
    cause,
  );
}
