import type { Finding } from '../problems.js';
import type { FerrySpec } from '../schema.js';
import { envMaps } from './walk.js';

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables Ferry sets itself in runner pods and deployed services. */
export const RESERVED_ENV_PREFIX = 'FERRY_';

/** Variable and build-arg names are shell identifiers; FERRY_* is Ferry's. */
export function checkEnvNames(spec: FerrySpec): Finding[] {
  const findings: Finding[] = [];
  for (const { map, path, kind } of envMaps(spec)) {
    for (const key of Object.keys(map)) {
      if (!ENV_NAME_RE.test(key)) {
        findings.push({
          path: [...path, key],
          code: 'invalid-env-name',
          message: `"${key}" is not a valid ${kind === 'env' ? 'variable' : 'build argument'} name`,
          hint: 'letters, digits and "_", not starting with a digit, e.g. LOG_LEVEL',
          atKey: true,
        });
      } else if (key.toUpperCase().startsWith(RESERVED_ENV_PREFIX)) {
        findings.push({
          path: [...path, key],
          code: 'reserved-env-name',
          message: `"${key}" is reserved: Ferry sets FERRY_* variables itself`,
          hint: 'choose another name',
          atKey: true,
        });
      }
    }
  }
  return findings;
}
