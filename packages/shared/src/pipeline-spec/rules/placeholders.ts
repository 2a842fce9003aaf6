import { didYouMean } from '../did-you-mean.js';
import {
  findPlaceholders,
  isPlaceholderName,
  isShellPath,
  isTemplatedPath,
  PLACEHOLDER_NAMES,
  TEMPLATED_PATHS,
} from '../placeholders.js';
import type { Finding } from '../problems.js';
import type { FerrySpec } from '../schema.js';
import { walkStrings } from './walk.js';

const KNOWN = PLACEHOLDER_NAMES.map((n) => `{${n}}`).join(', ');

/** Placeholders are known names, and only in the fields that resolve them. */
export function checkPlaceholders(spec: FerrySpec): Finding[] {
  const findings: Finding[] = [];
  walkStrings(spec, (text, path) => {
    if (isShellPath(path)) return;
    const names = findPlaceholders(text);
    if (names.length === 0) return;
    if (!isTemplatedPath(path)) {
      findings.push({
        path,
        code: 'placeholder-not-allowed',
        message: `placeholders like {${names[0]}} are not resolved in this field`,
        hint: `they are resolved in: ${TEMPLATED_PATHS.join(', ')}; write {{name}} for a literal {name}`,
      });
      return;
    }
    for (const name of names) {
      if (isPlaceholderName(name)) continue;
      const guess = didYouMean(name, PLACEHOLDER_NAMES);
      findings.push({
        path,
        code: 'unknown-placeholder',
        message: `unknown placeholder {${name}}`,
        hint: `${guess === undefined ? '' : `did you mean {${guess}}? `}known: ${KNOWN}`,
      });
    }
  });
  return findings;
}
