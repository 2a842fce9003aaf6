import { isShellPath } from '../placeholders.js';
import type { Finding } from '../problems.js';
import type { FerrySpec } from '../schema.js';
import { secretKeyFinding, secretValueFinding } from '../secrets.js';
import { envMaps, testCommandLists, walkStrings } from './walk.js';

const HINT =
  'ask the operators to put it in a Kubernetes Secret and reference it by name: envFrom: [{ secretRef: <name> }]';

/** Secret values never live in a pipeline file: env, build args and scripts are checked. */
export function checkInlineSecrets(spec: FerrySpec): Finding[] {
  const findings: Finding[] = [];
  for (const { map, path, kind, service } of envMaps(spec)) {
    for (const [key, value] of Object.entries(map)) {
      if (value === null || value === undefined) continue;
      // A test service's password (POSTGRES_PASSWORD) guards a throwaway container: only values are checked.
      const byName = service ? undefined : secretKeyFinding(key);
      const byValue = typeof value === 'string' ? secretValueFinding(value) : undefined;
      const finding = byValue ?? byName;
      if (!finding) continue;
      findings.push({
        path: [...path, key],
        code: 'inline-secret',
        message: `${kind === 'env' ? 'variable' : 'build argument'} ${key} looks like a secret: ${finding.reason}`,
        hint:
          kind === 'env'
            ? HINT
            : 'build arguments stay in the image history; use a build secret the operators provide instead',
      });
    }
  }
  for (const { list, path: listPath } of testCommandLists(spec)) {
    walkStrings(list, (text, rest) => {
      const path = [...listPath, ...rest];
      if (!isShellPath(path)) return;
      const finding = secretValueFinding(text, false);
      if (finding) {
        findings.push({
          path,
          code: 'inline-secret',
          message: `this command looks like it holds a secret: ${finding.reason}`,
          hint: `${HINT}, then use the variable, e.g. $DB_PASSWORD`,
        });
      }
    });
  }
  return findings;
}
