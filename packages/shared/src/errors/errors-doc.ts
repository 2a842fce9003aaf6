import type { ErrorDefinition } from './define-error.js';

/** Renders docs/errors.md from the registry, so the reference never drifts from the code. */
export function renderErrorsDoc(
  areas: Readonly<Record<string, Readonly<Record<string, ErrorDefinition>>>>,
): string {
  const lines = [
    '# Error codes',
    '',
    'Every error Ferry returns (API bodies `{ "error": { "code", "message", "details"? } }`, CLI output, stage',
    'logs) carries one of these stable codes. Generated from `packages/shared/src/errors/codes/` by',
    '`npm run docs:errors`; a unit test fails when this file and the registry disagree.',
    '',
  ];
  for (const [area, defs] of Object.entries(areas).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`## ${area}`, '', '| code | HTTP | message |', '| --- | --- | --- |');
    for (const def of Object.values(defs).sort((a, b) => a.code.localeCompare(b.code))) {
      lines.push(`| \`${def.code}\` | ${def.status} | ${def.message.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
